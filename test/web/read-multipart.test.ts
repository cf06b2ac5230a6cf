import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eventually, startHostileServer, type HostileServer } from "../hostile/support";

// readMultipart streaming big uploads to disk, against the real server process (so its RSS is
// the server's own): memory stays flat, a file over `fileSize` is refused while it is still
// being sent, and no temporary file outlives its response or a client that went away.
// Fixture: test/fixtures/uploads.

const MIB = 1024 * 1024;
const BIG = Number(process.env.UPLOAD_TEST_MIB ?? 256) * MIB;
const BOUNDARY = "----nextpressUploadTest";
const PART_HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`,
);
const PART_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

let server: HostileServer;
let dataDir: string;
const tmpUploads = () => path.join(dataDir, "tmp-uploads");
const leftovers = () => (existsSync(tmpUploads()) ? readdirSync(tmpUploads()) : []);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "nextpress-uploads-"));
  server = await startHostileServer("uploads/routes", {
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
    REQUEST_TIMEOUT_MS: "0",
  });
}, 60_000);

afterAll(async () => {
  expect(server.spawned.stderr()).toBe("");
  expect(await server.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
});

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

interface Upload {
  status: number;
  body: string;
}

/**
 * POSTs one multipart file of `size` bytes (a byte pattern made on the fly, never held whole),
 * written chunk by chunk with backpressure; stops writing when the response arrives.
 */
function upload(
  target: string,
  size: number,
  options: { abortAfter?: number; hash?: ReturnType<typeof createHash> } = {},
): Promise<Upload> {
  const chunk = Buffer.alloc(256 * 1024);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(server.url(target), {
      method: "POST",
      headers: {
        "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
        "content-length": PART_HEAD.length + size + PART_TAIL.length,
      },
    });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (text: string) => (body += text));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body });
        req.destroy();
      });
    });
    req.on("error", (error) => {
      if (!answered && options.abortAfter === undefined) reject(error);
    });
    let sent = 0;
    const writeMore = () => {
      while (!answered && sent < size) {
        if (options.abortAfter !== undefined && sent >= options.abortAfter) {
          req.destroy();
          resolve({ status: 0, body: "" });
          return;
        }
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        options.hash?.update(piece);
        if (!req.write(piece)) return void req.once("drain", writeMore);
      }
      if (!answered && sent >= size) req.end(PART_TAIL);
    };
    req.write(PART_HEAD);
    writeMore();
  });
}

it("streams a big upload to disk with the server's RSS within 50 MB of idle, then removes the file", async () => {
  const pid = server.spawned.child.pid as number;
  // Warm up: the route and busboy loaded, one small upload through.
  expect((await upload("/api/pages-disk", 1 * MIB)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = rssOf(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 25);
  const hash = createHash("sha256");
  const started = performance.now();
  const result = await upload("/api/pages-disk", BIG, { hash }).finally(() =>
    clearInterval(sampler),
  );
  const seconds = (performance.now() - started) / 1000;
  expect(result.status).toBe(200);
  const answer = JSON.parse(result.body) as { size: number; sha256: string; path: string };
  expect(answer.size).toBe(BIG);
  expect(answer.sha256).toBe(hash.digest("hex"));
  expect(path.dirname(path.dirname(answer.path))).toBe(tmpUploads());
  console.log(
    `upload ${BIG / MIB} MiB to disk in ${seconds.toFixed(1)} s: server RSS idle ${(idle / MIB).toFixed(1)} MiB, ` +
      `peak ${(peak / MIB).toFixed(1)} MiB, delta ${((peak - idle) / 1e6).toFixed(1)} MB`,
  );
  // The goal. Left to V8, the socket's read buffers (already on disk) would be collected
  // only every 64 MB of them: ~70 MB over idle, for 256 MiB and 1 GiB alike (web/upload-memory.ts).
  expect(peak - idle).toBeLessThan(50e6);
  await eventually(
    () => !existsSync(answer.path) && leftovers().length === 0,
    5000,
    "temp file removed",
  );
}, 180_000);

interface Refusal {
  status: number;
  body: string;
  /** Bytes of the file written when the answer's first byte arrived. */
  sentAtAnswer: number;
  /** ms from the kernel taking the file's byte past `limit` to the answer's first byte (0 when it came first). */
  latencyMs: number;
}

// The bench's client (a raw socket that reads while it writes), so that the test and
// `npm run bench` time the same thing.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the bench is CommonJS
const { rawUpload: benchRawUpload } = require("../../bench/uploads.js") as {
  rawUpload: (
    port: number,
    target: string,
    size: number,
    options: { limit: number; chunked: boolean; greedy?: boolean },
  ) => Promise<Refusal>;
};

function rawUpload(
  target: string,
  size: number,
  options: { limit: number; chunked: boolean; greedy?: boolean },
): Promise<Refusal> {
  return benchRawUpload(server.port, target, size, options);
}

const overFileSize = (bytes: number) => ({
  message: `Multipart body over its limits: a file over ${bytes} bytes`,
});

it.each([
  ["chunked", true],
  ["with a Content-Length", false],
])(
  "answers 10 parallel uploads over fileSize (%s) with 413 while they are still being sent, leaving no temp file",
  async (how, chunked) => {
    // app/app-disk-8mb: fileSize 8mb, files unlimited (a 64 MiB Content-Length is not refused at
    // once). What a client writes before its 413 is what the server read (8 MiB) and what the
    // kernel's buffers between the two sockets hold (up to ~4 MiB each way on Linux's defaults).
    const limit = 8 * MIB;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => rawUpload("/app-disk-8mb", 64 * MIB, { limit, chunked })),
    );
    console.log(
      `413 after crossing fileSize, 10 parallel, ${how}: ` +
        results
          .map((r) => `${r.latencyMs.toFixed(0)} ms (${(r.sentAtAnswer / MIB).toFixed(1)} MiB)`)
          .join(", "),
    );
    for (const result of results) {
      expect([result.status, JSON.parse(result.body)]).toEqual([413, overFileSize(limit)]);
      // Not a wall-clock bound (the 100 ms is bench/uploads.js's figure).
      expect(result.sentAtAnswer).toBeLessThan(4 * limit);
    }
    await eventually(() => leftovers().length === 0, 5000, "temp folders removed");
  },
  120_000,
);

it("a client sending far past the lingering close's 4 MiB, without reading meanwhile, still reads its 413", async () => {
  // The server stops reading past 4 MiB (TCP then stalls the client) rather than closing: a close
  // with the client's bytes unread resets the connection, and a client still writing loses the
  // 413 it had not read yet (1 to 3 of these 10, before).
  const results = await Promise.all(
    Array.from({ length: 10 }, () =>
      rawUpload("/app-disk", 64 * MIB, { limit: 2 * MIB, chunked: true, greedy: true }),
    ),
  );
  for (const result of results)
    expect([result.status, JSON.parse(result.body)]).toEqual([413, overFileSize(2 * MIB)]);
  await eventually(() => leftovers().length === 0, 5000, "temp folders removed");
}, 120_000);

it("answers 413 from the Content-Length alone when it is more than the route's files may hold", async () => {
  // app/app-one: one file of at most 2 MiB, plus the body limit (1 MiB) for the rest. Only the
  // head is sent: the answer must not wait for the body.
  const socket = net.connect(Number(new URL(server.url("/")).port), "127.0.0.1");
  try {
    const started = performance.now();
    socket.write(
      "POST /app-one HTTP/1.1\r\nHost: localhost\r\n" +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
        `Content-Length: ${16 * MIB}\r\n\r\n--${BOUNDARY}\r\n`,
    );
    let text = "";
    socket.setEncoding("utf8");
    await new Promise<void>((resolve, reject) => {
      socket.on("data", (chunk: string) => {
        text += chunk;
        if (text.includes("}")) resolve();
      });
      socket.on("close", () => reject(new Error(`closed without an answer: ${text}`)));
      const timer = setTimeout(() => reject(new Error(`no answer in 30 s: ${text}`)), 30_000);
      socket.once("close", () => clearTimeout(timer));
      socket.once("data", () => clearTimeout(timer));
    });
    console.log(`413 from Content-Length: ${(performance.now() - started).toFixed(1)} ms`);
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4))).toEqual({
      message: `Multipart body over its limits: Content-Length ${16 * MIB} is more than 1 file(s) of ${2 * MIB} bytes and ${MIB} bytes of fields`,
    });
  } finally {
    socket.destroy();
  }
  await eventually(() => leftovers().length === 0, 5000, "no temp folder left");
}, 30_000);

it("leaves no temporary file when the client goes away mid-file", async () => {
  const before = server.logLines().length;
  await upload("/api/pages-disk", 64 * MIB, { abortAfter: 8 * MIB });
  await eventually(
    () => server.logLines().length > before && leftovers().length === 0,
    10_000,
    "the aborted upload's folder removed",
  );
  expect((await fetch(server.url("/healthz"))).status).toBe(200);
}, 60_000);
