import type http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createAppServer } from "../../src/app/app-server";
import { clientFiles, writeClient } from "../../src/client";
import type { TestApp } from "../helpers/app";
import { buildTestApp } from "../helpers/app";

// The generated runtime against the Next-style fixture tree, served in-process on loopback.
type Client = Record<string, (input?: object, options?: object) => Promise<Record<string, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the test reads what came back

let built: TestApp;
let server: http.Server;
let dir: string;
let api: Client;
beforeAll(async () => {
  built = await buildTestApp("client-tree/routes");
  server = createAppServer(built);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-client-runtime-"));
  writeClient(dir, clientFiles(built.routes as never, built.config.routesDir));
  const { createClient } = (await import(path.join(dir, "index.ts"))) as {
    createClient: (options: object) => Client;
  };
  api = createClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token: async () => "test-token",
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await built.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the generated runtime", () => {
  it("sends a body with a File as multipart/form-data", async () => {
    const file = new File(["hello file"], "notes.txt", { type: "text/plain" });
    const answer = await api.postApiUpload({ body: { title: "My notes", file } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ file: true, field: true });
    expect(answer.body.contentType).toMatch(/^multipart\/form-data; boundary=/);
  });

  it("reads an event stream as an AsyncIterable of events", async () => {
    const answer = await api.getApiEvents();
    expect(answer.status).toBe(200);
    const events = [];
    for await (const event of answer.body as AsyncIterable<unknown>) events.push(event);
    expect(events).toEqual([
      { event: "tick", data: "1" },
      { event: "message", data: "two\nlines" },
    ]);
  });

  it("fills [...path] segment by segment, [[...slug]] with or without segments, the query", async () => {
    expect((await api.getApiFilesByPath({ params: { path: ["a b", "c"] } })).body).toEqual({
      path: ["a b", "c"],
    });
    expect((await api.getApiPagesBySlug({ params: { slug: ["x", "y"] } })).body).toEqual({
      slug: ["x", "y"],
    });
    expect((await api.getApiPagesBySlug()).body).toEqual({ slug: [] });
    const listed = await api.listNotes({ query: { limit: 0 } });
    expect(listed.status).toBe(400);
    expect(listed.body.issues[0].path).toEqual(["query", "limit"]);
  });

  it("sends the token from its function; answers a z.date() as the string on the wire", async () => {
    expect((await api.adminStats()).status).toBe(200);
    const made = await api.createNote({ body: { text: "dated" } });
    expect(made.status).toBe(201);
    expect(made.body.createdAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });
});
