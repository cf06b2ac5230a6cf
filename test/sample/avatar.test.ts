import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSampleServer, TOKEN, type SampleServer } from "./support";

// The sample's avatar upload (routes/users/[id]/avatar.ts) on the real server process: multipart
// with a z.file() schema, size and type limited, stored under DATA_DIR, temp files removed.

let server: SampleServer;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "nextpress-avatar-"));
  server = await startSampleServer({ DATA_DIR: dataDir });
}, 120_000);

afterAll(async () => {
  expect(await server.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex",
);

function put(id: number, file: Blob, name = "me.png", token: string | undefined = TOKEN) {
  const form = new FormData();
  form.append("avatar", file, name);
  return fetch(`${server.base}/api/users/${id}/avatar`, {
    method: "PUT",
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
}

const leftovers = () => {
  const dir = path.join(dataDir, "tmp-uploads");
  return existsSync(dir) ? readdirSync(dir) : [];
};

it("stores a PNG for an existing user and serves it back", async () => {
  const user = await server.call("POST", "/api/users", {
    body: { name: "Ada", email: "ada@example.com" },
    token: TOKEN,
  });
  expect(user.status).toBe(201);
  const id = user.body.id as number;
  const res = await put(id, new Blob([PNG], { type: "image/png" }));
  expect([res.status, await res.json()]).toEqual([
    200,
    { id, type: "image/png", size: PNG.length },
  ]);
  expect(readdirSync(path.join(dataDir, "avatars"))).toEqual([`${id}.png`]);
  const back = await fetch(`${server.base}/api/users/${id}/avatar`);
  expect(back.headers.get("content-type")).toBe("image/png");
  expect(Buffer.from(await back.arrayBuffer())).toEqual(PNG);
  expect(leftovers()).toEqual([]);
}, 60_000);

it("refuses a type outside PNG/JPEG/WebP (400 from z.file().mime), a file over 256 KiB (413), an unknown user (404), no token (401)", async () => {
  const text = await put(1, new Blob(["hello"], { type: "text/plain" }), "a.txt");
  expect(text.status).toBe(400);
  expect(JSON.stringify(await text.json())).toContain("avatar");
  const big = await put(1, new Blob([Buffer.alloc(300 * 1024)], { type: "image/png" }));
  expect(big.status).toBe(413);
  expect((await put(999_999, new Blob([PNG], { type: "image/png" }))).status).toBe(404);
  expect((await put(1, new Blob([PNG], { type: "image/png" }), "me.png", "")).status).toBe(401);
  expect((await fetch(`${server.base}/api/users/999999/avatar`)).status).toBe(404);
});
