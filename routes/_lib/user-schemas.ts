import { z } from "zod";

// What the users routes accept and answer; the same schemas validate requests and write
// /openapi.json (and so the Postman collection).

/** A user's id in a URL: digits only, so `/api/users/abc` is a 400 and `/api/users/99` a 404. */
const id = () =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,14}$/, "expected a user id: a whole number from 1")
    .transform(Number);

export const UserId = id().meta({
  description: "The user's id, as `POST /api/users` answered it.",
  example: "1",
});

// C0 and C1 control characters (NUL, ESC, DEL, …): no name or address has one, PostgreSQL refuses
// NUL, and a terminal that shows a log line would obey the others.
// Written as ranges, not \p{Cc}: the OpenAPI document carries the pattern, and JSON Schema
// validators (spectral's ajv) read it without the `u` flag.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const CONTROL_MESSAGE = "must not contain control characters (U+0000–U+001F, U+007F–U+009F)";

export const NewUser = z.object({
  name: z.string().trim().min(1).max(100).regex(NO_CONTROL_CHARACTERS, CONTROL_MESSAGE),
  email: z.email().max(254), // z.email() already refuses every control character
});

export const UserChanges = NewUser.partial().refine(
  (changes) => changes.name !== undefined || changes.email !== undefined,
  {
    message: "give a name, an email or both",
  },
);

export const User = z
  .object({
    id: z.number().int().min(1),
    name: z.string(),
    email: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "User" });

export const UserParams = z.object({ id: UserId });

export const ListQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .meta({ description: "Users per page, at most 100." }),
  cursor: id().optional().meta({
    description: "Where the page starts: the `cursor` of the previous page's `next` link.",
  }),
});

export const UserPage = z.object({
  users: z.array(User),
  total: z.number().int().min(0).meta({ description: "Users in all, on every page." }),
  next: z
    .string()
    .nullable()
    .meta({ description: "The next page's URL, or null on the last page." }),
});

export const Message = z.object({ message: z.string() });

export const EXAMPLE_USER = {
  id: 1,
  name: "Ada Lovelace",
  email: "ada@example.com",
  createdAt: "2025-01-01T12:00:00.000Z",
  updatedAt: "2025-01-01T12:00:00.000Z",
};
