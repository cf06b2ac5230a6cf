import { ApiError, authenticate, defineRoute } from "nextpress";
import { deleteUser, findUser, updateUser } from "../_lib/users";
import { EXAMPLE_USER, Message, User, UserChanges, UserParams } from "../_lib/user-schemas";

// The id is validated by UserParams: `/api/users/abc` is a 400 listing the issue, a well-formed id
// that names no user a 404. Changes and deletion need a Bearer token (API_TOKENS); reading does not.

export const GET = defineRoute({
  schema: { query: UserParams, responses: { 200: User, 404: Message } },
  openapi: {
    summary: "Get a user",
    operationId: "getUser",
    examples: { responses: { 200: EXAMPLE_USER } },
  },
  async handler(req, res) {
    const user = await findUser(req.query.id);
    if (!user) throw new ApiError(404, "User not found");
    res.status(200).json(user);
  },
});

export const PATCH = defineRoute({
  middleware: [authenticate],
  schema: {
    query: UserParams,
    body: UserChanges,
    responses: { 200: User, 404: Message, 409: Message },
  },
  openapi: {
    summary: "Change a user",
    operationId: "updateUser",
    examples: {
      body: { name: "Ada King" },
      responses: { 200: { ...EXAMPLE_USER, name: "Ada King" } },
    },
  },
  async handler(req, res) {
    const user = await updateUser(req.query.id, req.body);
    if (!user) throw new ApiError(404, "User not found");
    res.status(200).json(user);
  },
});

export const DELETE = defineRoute({
  middleware: [authenticate],
  schema: { query: UserParams, responses: { 204: Message, 404: Message } },
  openapi: { summary: "Delete a user", operationId: "deleteUser" },
  async handler(req, res) {
    if (!(await deleteUser(req.query.id))) throw new ApiError(404, "User not found");
    res.status(204).end();
  },
});
