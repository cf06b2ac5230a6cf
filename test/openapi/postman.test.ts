import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import newman, { type NewmanRunSummary } from "newman";
import type { PostmanCollection, PostmanItem } from "../../src/openapi/postman";
import { POST as createUser } from "../../routes/users";
import { fixture } from "../helpers/app";
import {
  PROJECT_ROOT,
  spawnProcess,
  stopProcess,
  waitForListening,
  type Spawned,
} from "../helpers/process";

const CLI = path.join(PROJECT_ROOT, "dist", "src", "cli.js");
const MAIN = path.join(PROJECT_ROOT, "dist", "src", "main.js");
const TOKEN = "postman-token";

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-postman-"))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `nextpress postman --out` for a routes folder (the sample routes when undefined). */
async function generateCollection(name: string, routesDir?: string): Promise<PostmanCollection> {
  const out = path.join(dir, `${name}.postman.json`);
  const run = spawnProcess("node", [CLI, "postman", "--out", out], {
    LOG_LEVEL: "silent",
    ...(routesDir ? { ROUTES_DIR: routesDir } : {}),
  });
  const code = await run.exited;
  if (code !== 0) throw new Error(`nextpress postman exited ${code}: ${run.stderr()}`);
  return JSON.parse(readFileSync(out, "utf8")) as PostmanCollection;
}

async function startServer(routesDir?: string): Promise<{ server: Spawned; baseUrl: string }> {
  const server = spawnProcess("node", [MAIN], {
    HOST: "127.0.0.1",
    PORT: "0",
    API_TOKENS: TOKEN,
    ...(routesDir ? { ROUTES_DIR: routesDir } : {}),
  });
  const port = await waitForListening(server);
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

const UPLOAD_DIR = mkdtempSync(path.join(os.tmpdir(), "nextpress-newman-"));
writeFileSync(
  path.join(UPLOAD_DIR, "avatar"),
  Buffer.from(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
    "hex",
  ),
);
afterAll(() => rmSync(UPLOAD_DIR, { recursive: true, force: true }));

/** newman's Node API, as `newman run collection.json --env-var baseUrl=… --env-var token=…`. */
function runNewman(collection: PostmanCollection, baseUrl: string): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: collection as never,
        envVar: [
          { key: "baseUrl", value: baseUrl },
          { key: "token", value: TOKEN },
        ],
        reporters: [],
        timeoutRequest: 15_000,
        // The avatar upload's file: `avatar`, a 1×1 PNG, in newman's working directory.
        workingDir: UPLOAD_DIR,
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

function requests(items: readonly PostmanItem[]): PostmanItem[] {
  return items.flatMap((item) => [...(item.request ? [item] : []), ...requests(item.item ?? [])]);
}

describe("the Postman collection of the sample routes", () => {
  let collection: PostmanCollection;
  beforeAll(async () => (collection = await generateCollection("sample")), 60_000);

  it("is Postman v2.1 with {{baseUrl}} and {{token}} variables, and one for the id a sign-up hands on", () => {
    expect(collection.info.schema).toBe(
      "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    );
    expect(collection.variable?.map((v) => [v.key, v.value])).toStrictEqual([
      ["baseUrl", "http://localhost:3000"],
      ["token", ""],
      ["createUser.id", ""],
    ]);
    for (const item of requests(collection.item))
      expect((item.request?.url as { host?: string[] }).host).toStrictEqual(["{{baseUrl}}"]);
  });

  it("has one folder per route folder, and one request per documented operation, named by its summary or METHOD /path", () => {
    expect(
      collection.item.map((folder) => [folder.name, (folder.item ?? []).map((i) => i.name)]),
    ).toStrictEqual([
      ["admin", ["GET /api/admin/stats"]],
      ["edge-echo", ["POST /api/edge-echo"]],
      ["hello", ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => `${m} /api/hello`)],
      [
        "secure-data",
        ["GET", "POST", "PUT", "PATCH", "DELETE"].map((m) => `${m} /api/secure-data`),
      ],
      [
        "users",
        [
          "Create a user",
          "Get a user",
          "List users",
          "Get a user's avatar",
          "Upload a user's avatar",
          "Change a user",
          "Delete a user",
        ],
      ],
      ["chat", ["GET /api/chat/{room}"]],
      ["greet", ["GET /api/greet/{name}"]],
    ]);
  });

  it("walks the users as a flow: the id POST answers is stored, then sent by the requests its links name", () => {
    const byName = new Map(requests(collection.item).map((item) => [item.name, item]));
    const script = (name: string) =>
      ((byName.get(name)?.event as { script: { exec: string[] } }[] | undefined) ?? [])
        .flatMap((e) => e.script.exec)
        .join("\n");
    expect(script("Create a user")).toContain(
      "pm.collectionVariables.set(capture.variable, String(value))",
    );
    expect(script("Create a user")).toContain(
      '"variable":"createUser.id","status":201,"expression":"$response.body#/id"',
    );
    for (const name of ["Get a user", "Change a user", "Delete a user"]) {
      const url = byName.get(name)?.request?.url as { variable: { key: string; value: string }[] };
      expect([name, url.variable.map((v) => [v.key, v.value])]).toStrictEqual([
        name,
        [["id", "{{createUser.id}}"]],
      ]);
      expect(script(name)).toContain("uses createUser.id: answers 2xx");
    }
    // An optional query parameter without an example is not sent with an invented value.
    const list = byName.get("List users")?.request?.url as {
      query: { key: string; value: string; disabled: boolean }[];
    };
    expect(list.query.map((q) => [q.key, q.value, q.disabled])).toStrictEqual([
      ["limit", "20", false],
      ["cursor", expect.any(String), true],
    ]);
  });

  it("sends the {{token}} Bearer on the protected requests only", () => {
    const authed = requests(collection.item).filter((item) => item.request?.auth);
    const bearer = { type: "bearer", bearer: [{ key: "token", value: "{{token}}" }] };
    expect(authed.map((item) => [item.name, item.request?.auth])).toStrictEqual([
      ["GET /api/admin/stats", bearer],
      ["Upload a user's avatar", bearer],
      ["Change a user", bearer],
      ["Delete a user", bearer],
    ]);
  });

  it("sends the avatar upload as form-data, its file from newman's working directory", () => {
    const upload = requests(collection.item).find((i) => i.name === "Upload a user's avatar");
    expect(upload?.request?.body).toMatchObject({
      mode: "formdata",
      formdata: [{ key: "avatar", type: "file", src: "avatar", contentType: "image/png" }],
    });
  });

  it("carries an example body for POST /api/users that passes the route's own validation", () => {
    const post = requests(collection.item).find((item) => item.name === "Create a user");
    const raw = (post?.request?.body as { mode: string; raw: string } | undefined)?.raw ?? "";
    const body: unknown = JSON.parse(raw);
    expect(createUser.schema?.body?.safeParse(body).success).toBe(true);
  });

  it("has a collection-level test that checks the status against the documented ones", () => {
    const [event] = collection.event ?? [];
    expect(event.listen).toBe("test");
    const script = event.script.exec.join("\n");
    expect(script).toContain("pm.test(");
    expect(script).toContain('"Create a user":["201","400","409","413"]');
    expect(script).toContain('"GET /api/hello":["2XX","default"]');
  });
});

describe("newman against the real server", () => {
  let server: Spawned | undefined;
  afterEach(async () => {
    if (server) await stopProcess(server);
    server = undefined;
  });

  it("passes every request of the sample routes' collection, walking the users from sign-up to deletion, twice in a row", async () => {
    const collection = await generateCollection("sample-run");
    const started = await startServer();
    server = started.server;
    for (let run = 1; run <= 2; run++) {
      const summary = await runNewman(collection, started.baseUrl);
      const executions = summary.run.executions.map((e) => [
        e.item.name,
        e.response?.code,
        (e.assertions ?? []).map((a) => a.error?.message ?? "ok"),
      ]);
      expect(
        summary.run.failures.map((f) => `${f.source?.name}: ${f.error.message}`),
      ).toStrictEqual([]);
      expect(executions).toHaveLength(requests(collection.item).length);
      expect(executions.filter(([name]) => /user/i.test(String(name)))).toStrictEqual([
        ["Create a user", 201, ["ok", "ok"]],
        ["Get a user", 200, ["ok", "ok"]],
        ["List users", 200, ["ok"]],
        // Before any upload, for the example id: no avatar (run 1), no user (run 2).
        ["Get a user's avatar", 404, ["ok"]],
        // A 1×1 PNG as multipart/form-data, to the user just created.
        ["Upload a user's avatar", 200, ["ok", "ok"]],
        ["Change a user", 200, ["ok", "ok"]],
        ["Delete a user", 204, ["ok", "ok"]],
      ]);
      expect(executions).toContainEqual(["GET /api/admin/stats", 200, ["ok"]]);
      // The id went from the 201 to the next requests' URLs.
      const created = summary.run.executions.find((e) => e.item.name === "Create a user");
      const id = (
        JSON.parse(Buffer.from(created?.response?.stream ?? []).toString()) as { id: number }
      ).id;
      const urls = summary.run.executions
        .filter((e) => /a user$/.test(e.item.name) && e.item.name !== "Create a user")
        .map((e) => e.request.url.getPath());
      expect(urls).toStrictEqual(Array(3).fill(`/api/users/${id}`));
    }
  }, 120_000);

  it("fails on a route that answers 500 where the document says 200", async () => {
    const routesDir = fixture("openapi-broken");
    const collection = await generateCollection("broken", routesDir);
    const started = await startServer(routesDir);
    server = started.server;
    const summary = await runNewman(collection, started.baseUrl);
    expect(summary.run.executions.map((e) => [e.item.name, e.response?.code])).toStrictEqual([
      ["GET /api/broken", 500],
      ["GET /api/ok", 200],
    ]);
    expect(summary.run.failures).toHaveLength(1);
    expect(summary.run.failures[0].source?.name).toBe("GET /api/broken");
    expect(summary.run.failures[0].error.message).toBe(
      "status 500 is not one of 200: expected false to equal true",
    );
  }, 120_000);
});

describe("without openapi-to-postmanv2", () => {
  it("says how to install it", async () => {
    jest.resetModules();
    jest.doMock("openapi-to-postmanv2", () => {
      throw Object.assign(new Error("Cannot find module 'openapi-to-postmanv2'"), {
        code: "MODULE_NOT_FOUND",
      });
    });
    const { toPostmanCollection } = jest.requireActual<typeof import("../../src/openapi/postman")>(
      "../../src/openapi/postman",
    );
    // The module registry was reset: the error class to expect is the one this fresh copy throws.
    const { ConfigError } =
      jest.requireActual<typeof import("../../src/errors")>("../../src/errors");
    const converting = toPostmanCollection({ paths: {} } as never, "http://localhost:3000");
    await expect(converting).rejects.toBeInstanceOf(ConfigError);
    await expect(converting).rejects.toThrow("npm install --save-dev openapi-to-postmanv2");
    jest.dontMock("openapi-to-postmanv2");
  });
});
