import { defineRoute } from "nextpress";
import { createUser, listUsers } from "./_lib/users";
import { EXAMPLE_USER, ListQuery, Message, NewUser, User, UserPage } from "./_lib/user-schemas";

// The id a sign-up answers with feeds the requests on /api/users/{id}: /docs shows these links, and
// the Postman collection runs create → read → list → update → delete with that id.
const withCreatedId = (operationId: string) => ({
  operationId,
  parameters: { id: "$response.body#/id" },
});

// GET: one page of users, in id order, with the total and the next page's URL.
export const GET = defineRoute({
  schema: { query: ListQuery, responses: { 200: UserPage } },
  openapi: {
    summary: "List users",
    operationId: "listUsers",
    examples: {
      query: { limit: 20 },
      responses: { 200: { users: [EXAMPLE_USER], total: 1, next: null } },
    },
  },
  async handler(req, res) {
    const { limit, cursor } = req.query;
    const page = await listUsers({ limit, cursor });
    const path = new URL(req.url ?? "/api/users", "http://localhost").pathname;
    const next =
      page.nextCursor === undefined ? null : `${path}?limit=${limit}&cursor=${page.nextCursor}`;
    res.status(200).json({ users: page.users, total: page.total, next });
  },
});

// POST: sign-up, open to anyone. 201 with the user and its Location; 409 when the email is taken.
export const POST = defineRoute({
  schema: { body: NewUser, responses: { 201: User, 409: Message } },
  openapi: {
    summary: "Create a user",
    operationId: "createUser",
    examples: {
      body: { name: "Ada Lovelace", email: "ada@example.com" },
      responses: { 201: EXAMPLE_USER },
    },
    links: {
      201: {
        getUser: withCreatedId("getUser"),
        updateUser: withCreatedId("updateUser"),
        deleteUser: withCreatedId("deleteUser"),
        putUserAvatar: withCreatedId("putUserAvatar"),
      },
    },
  },
  async handler(req, res) {
    const user = await createUser(req.body);
    res.setHeader("Location", `/api/users/${user.id}`);
    res.status(201).json(user);
  },
});
