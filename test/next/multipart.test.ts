import { startHostileServer, type HostileServer } from "../hostile/support";

// The multipart bodies that crashed multer/busboy/dicer (CVE-2025-47944, CVE-2025-48997,
// CVE-2025-7338, CVE-2026-5079) and the caps under request.formData() and readMultipart, sent to
// the real server process on every route style. Fixture: test/fixtures/uploads.

let server: HostileServer;

beforeAll(async () => {
  server = await startHostileServer("uploads/routes", { BODY_LIMIT: "256kb", LOG_LEVEL: "info" });
}, 60_000);

afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
});

const ROUTES = ["/api/pages-form", "/api/edge-form", "/app-form", "/app-read"];
const B = "XyZbOuNdArY";
const CRLF = "\r\n";
const TYPE = `multipart/form-data; boundary=${B}`;

const part = (headers: string[], body: string) =>
  `--${B}${CRLF}${headers.join(CRLF)}${CRLF}${CRLF}${body}${CRLF}`;
const field = (name: string, value: string) =>
  part([`Content-Disposition: form-data; name="${name}"`], value);
const file = (name: string, filename: string, value: string, type = "text/plain") =>
  part(
    [
      `Content-Disposition: form-data; name="${name}"; filename="${filename}"`,
      `Content-Type: ${type}`,
    ],
    value,
  );
const end = `--${B}--${CRLF}`;

const post = (path: string, body: string | Buffer, type = TYPE) =>
  fetch(server.url(path), { method: "POST", headers: { "content-type": type }, body });

const bodies: Array<[string, string, number]> = [
  // multer <2.0.0: a file part whose body never reaches a closing boundary.
  [
    "CVE-2025-47944: a file part without its closing boundary",
    file("tiny0", "test.txt", "").slice(0, -2) + "test without end boundary",
    400,
  ],
  // multer <2.0.1: a file upload whose field name is the empty string.
  ["CVE-2025-48997: a file with an empty field name", file("", "a.txt", "x") + end, 400],
  // multer <2.0.2: a malformed body that makes busboy report more than one error.
  [
    "CVE-2025-7338: a part without a name, then a part cut in its headers",
    part(["Content-Disposition: form-data"], "test content") +
      `--${B}${CRLF}Content-Disposition: form-data; name="b"; filename="b.txt"${CRLF}Content-Ty`,
    400,
  ],
  // multer <2.2.0: field names nested thousands of levels deep.
  [
    "CVE-2026-5079: a field name nested 5,000 levels deep",
    field("a" + "[0]".repeat(5000), "v") + end,
    413,
  ],
  ["an empty field name", field("", "value") + end, 400],
  ["a part with no name at all", part(["Content-Disposition: form-data"], "x") + end, 400],
  ["a part whose headers never end", `--${B}${CRLF}Content-Disposition: form-data; name="a"`, 400],
  [
    "a header line of 100,000 bytes",
    part([`Content-Disposition: form-data; name="a"`, `X-Pad: ${"a".repeat(100_000)}`], "v") + end,
    413,
  ],
  [
    "2,001 header lines in one part",
    part(
      [`Content-Disposition: form-data; name="a"`, ...Array.from({ length: 2000 }, () => "a:1")],
      "v",
    ) + end,
    413,
  ],
  ["1,001 parts", Array.from({ length: 1001 }, (_, i) => field(`f${i}`, "1")).join("") + end, 413],
  ["a field name of 101 bytes", field("n".repeat(101), "v") + end, 413],
  ["a file over the body limit", file("f", "big.bin", "z".repeat(300 * 1024)) + end, 413],
];

describe.each(ROUTES)("%s", (route) => {
  it.each(bodies)("answers %s with a JSON 400 or 413", async (_what, body, status) => {
    const res = await post(route, body);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await res.json()) as { message: string }).message).toEqual(expect.any(String));
  });

  it("answers a body without a boundary with 400", async () => {
    const res = await post(route, field("a", "b") + end, "multipart/form-data");
    expect(res.status).toBe(400);
  });

  it("reads a well-formed body as undici does, names kept as sent (no nesting)", async () => {
    const body =
      field("a[b][c]", "nested") +
      field("title", "héllo") +
      file("doc", "notes.txt", "some text") +
      part([`Content-Disposition: form-data; name="raw"; filename="r.bin"`], "xyz") +
      file("empty", "", "", "image/png") +
      field("title", "again") +
      end;
    const res = await post(route, body);
    expect(res.status).toBe(200);
    const expected = await new Response(body, { headers: { "content-type": TYPE } }).formData();
    const entries = [...expected.entries()].map(([name, value]) =>
      typeof value === "string"
        ? [name, value]
        : [name, { name: value.name, type: value.type, size: value.size }],
    );
    expect(((await res.json()) as { entries: unknown }).entries).toEqual(entries);
  });
});

it.each(["/api/pages-form", "/app-read"])(
  "%s: readMultipart holds all fields together to the body limit, not only each one",
  async (route) => {
    // BODY_LIMIT 256kb: each field is under it, the two together are not.
    const value = "v".repeat(200 * 1024);
    const response = await post(route, field("a", value) + field("b", value) + end);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      message: "Multipart body over its limits: fields over 262144 bytes together",
    });
  },
);

it("is still serving after every body above", async () => {
  expect((await fetch(server.url("/healthz"))).status).toBe(200);
  expect((await post("/app-form", field("ok", "yes") + end)).status).toBe(200);
});

describe("z.file() in an app route's schema.body", () => {
  const form = (type: string) =>
    field("title", "notes") + file("doc", "d.txt", "hello", type) + end;

  it("validates the parts, then the handler reads formData() again", async () => {
    const res = await post("/app-schema", form("text/plain"));
    expect([res.status, await res.json()]).toEqual([200, { title: "notes", doc: "hello" }]);
  });

  it("answers a file of another type with a 400 naming it", async () => {
    const res = await post("/app-schema", form("image/png"));
    expect(res.status).toBe(400);
    const { issues } = (await res.json()) as { issues: { path: unknown[] }[] };
    expect(issues.map((issue) => issue.path)).toEqual([["body", "doc"]]);
  });
});
