import { defineRoute } from "nextpress";
import { z } from "zod";

const NewUser = z.object({
  name: z.string().trim().min(1).max(100),
  email: z.email(),
});

const Created = z.object({ message: z.literal("User created"), user: NewUser });

// A method export: POST only. Any other method gets 405 with `Allow: POST, OPTIONS`, and an
// invalid body gets 400 {"message":"Invalid request","issues":[…]} before the handler runs.
export const POST = defineRoute({
  schema: { body: NewUser, responses: { 201: Created } },
  handler(req, res) {
    const user = req.body; // typed { name: string; email: string } from the schema
    res.status(201).json({ message: "User created", user });
  },
});
