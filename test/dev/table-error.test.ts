import http from "node:http";
import request from "supertest";
import { createTableErrorHandler } from "../../src/dev/table-error";

const LOAD_ERROR = [
  "Cannot load the routes in /srv/routes:",
  "  - users.ts and users/index.ts: both serve /api/users: keep one of them",
  "  - a.ts: throws on import: Error: a",
  "    at <anonymous> (/srv/routes/a.ts:1:7)",
].join("\n");

describe("the dev server without a route table", () => {
  const server = http.createServer(createTableErrorHandler(LOAD_ERROR));

  it.each(["/api", "/api/users", "/api/anything/else?x=1", "/api?x=1"])(
    "answers %s with the load error, without stack frames",
    async (url) => {
      const res = await request(server).get(url);
      expect(res.status).toBe(500);
      expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(res.body).toEqual({
        message:
          "Cannot load the routes in /srv/routes:\n  - users.ts and users/index.ts: both serve /api/users: keep one of them\n  - a.ts: throws on import: Error: a",
      });
    },
  );

  it.each(["/", "/apix", "/other"])("answers %s outside /api with a JSON 404", async (url) => {
    const res = await request(server).get(url);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ message: "Not Found" });
  });
});
