#!/usr/bin/env node
// node bench/uploads.js [--quick] — the upload figures of issue 19, from the real server process
// (dist/src/main.js, pinned to core 0): how far its RSS rises over idle while one big upload
// streams to disk through readMultipart({ toDisk }) (goal: +50 MB, for 1 GiB), and how long after
// a client's kernel took its byte past `fileSize` each of 10 parallel uploads reads the first byte
// of its 413 (goal: 100 ms). Loopback only,
// bounded in time; the server is stopped by PID and its temp folders removed in every outcome.
// bench/run.js runs it too (measureUploads) and reports the figures against their goals.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { setImmediate } = require("node:timers");
const { pinned } = require("./load");
const { freePort, getStatus } = require("../scripts/loopback");

const ROOT = path.resolve(__dirname, "..");
const MIB = 1024 * 1024;
const LIMIT = 2 * MIB;
const PARALLEL = 10;
const BOUNDARY = "----nextpressBench";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function writeRoutes(dir) {
  const index = JSON.stringify(path.join(ROOT, "dist", "src", "index.js"));
  fs.mkdirSync(path.join(dir, "routes"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "routes", "upload.js"),
    `const { readMultipart } = require(${index});
module.exports = async function handler(req, res) {
  const { files } = await readMultipart(req);
  res.status(200).json({ size: files[0].file.size });
};
module.exports.config = { multipart: { toDisk: true, fileSize: "2gb", files: 1 } };
`,
  );
  fs.writeFileSync(
    path.join(dir, "routes", "limited.js"),
    `const { readMultipart } = require(${index});
module.exports = async function handler(req, res) {
  await readMultipart(req);
  res.status(200).json({});
};
module.exports.config = { multipart: { toDisk: true, fileSize: ${LIMIT}, files: 1 } };
`,
  );
}

const rssOf = (pid) =>
  Number(
    /** @type {RegExpExecArray} */ (
      /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))
    )[1],
  ) * 1024;

const PART_HEAD = Buffer.from(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
    "Content-Type: application/octet-stream\r\n\r\n",
);
const PART_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

/** One multipart upload of `size` bytes made on the fly, with a Content-Length; resolves with the status. */
function upload(port, target, size) {
  const chunk = Buffer.alloc(256 * 1024, 7);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({
      host: "127.0.0.1",
      port,
      path: target,
      method: "POST",
      headers: {
        "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
        "content-length": PART_HEAD.length + size + PART_TAIL.length,
      },
    });
    req.on("response", (res) => {
      answered = true;
      res.resume();
      res.on("end", () => {
        resolve({ status: res.statusCode });
        req.destroy();
      });
    });
    req.on("error", (error) => answered || reject(error));
    let sent = 0;
    const writeMore = () => {
      while (!answered && sent < size) {
        const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", writeMore);
      }
      if (!answered) req.end(PART_TAIL);
    };
    req.write(PART_HEAD);
    writeMore();
  });
}

/**
 * Sends a multipart file of `size` bytes on a raw socket that reads while it writes: one 64 KiB
 * chunk at a time, the next once the kernel took the last and the event loop had its turn (reads
 * included). A client that chains its writes without yielding (`greedy`: as fast as loopback
 * takes them) reads nothing until the kernel's buffers fill up: Node's http client written so
 * saw its 413 300–800 ms after the server sent it, and timed itself rather than the server.
 * Resolves with the answer's `status` and `body`, `sentAtAnswer` (bytes of the file written when
 * its first byte arrived) and `latencyMs` (from the kernel taking the byte past `limit` to the
 * answer's first byte; 0 when the answer came first, Infinity when there was none). Also used by
 * test/web/read-multipart.test.ts.
 * @public
 * @param {number} port
 * @param {string} target
 * @param {number} size
 * @param {{ limit: number, chunked: boolean, greedy?: boolean }} options
 * @returns {Promise<{ status: number, body: string, sentAtAnswer: number, latencyMs: number }>}
 */
function rawUpload(port, target, size, options) {
  const latency = (crossedAt, answeredAt) => {
    if (answeredAt === undefined) return Infinity;
    return crossedAt === undefined ? 0 : Math.max(0, answeredAt - crossedAt);
  };
  const frame = (data) =>
    options.chunked
      ? Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")])
      : data;
  const framing = options.chunked
    ? "Transfer-Encoding: chunked"
    : `Content-Length: ${PART_HEAD.length + size + PART_TAIL.length}`;
  const chunk = Buffer.alloc(64 * 1024, 7);
  const socket = net.connect(port, "127.0.0.1");
  return new Promise((resolve) => {
    let sent = 0;
    let crossedAt;
    let answeredAt;
    let sentAtAnswer = 0;
    let text = "";
    socket.on("data", (data) => {
      if (answeredAt === undefined) {
        answeredAt = performance.now();
        sentAtAnswer = sent;
        socket.end();
      }
      text += data.toString("latin1");
    });
    // A reset: the outcome is what was read before it.
    socket.on("error", () => {});
    socket.setTimeout(30_000, () => socket.destroy());
    socket.on("close", () => {
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0),
        body: text.slice(text.indexOf("\r\n\r\n") + 4),
        sentAtAnswer,
        latencyMs: latency(crossedAt, answeredAt),
      });
    });
    const writeMore = () => {
      if (answeredAt !== undefined || !socket.writable) return;
      if (sent >= size) {
        socket.write(frame(PART_TAIL));
        if (options.chunked) socket.write("0\r\n\r\n");
        return;
      }
      const piece = chunk.subarray(0, Math.min(chunk.length, size - sent));
      sent += piece.length;
      const crossing = crossedAt === undefined && sent > options.limit;
      socket.write(frame(piece), (error) => {
        if (crossing) crossedAt = performance.now();
        if (error) return;
        if (options.greedy) writeMore();
        else setImmediate(writeMore);
      });
    };
    socket.write(
      `POST ${target} HTTP/1.1\r\nHost: localhost\r\n` +
        `Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\n${framing}\r\n\r\n`,
    );
    socket.write(frame(PART_HEAD));
    writeMore();
  });
}

/**
 * Measures the upload figures on a server of their own: `rssMb` over idle during one big upload
 * (256 MiB with `quick`, else 1 GiB) and `mibPerSecond`, the 413s' delays (`p50`/`max` ms) for
 * uploads with a Content-Length (`announced`) and without (`chunked`), and the temp folders left.
 * @param {{ quick?: boolean }} [options]
 */
async function measureUploads({ quick = false } = {}) {
  const BIG = (quick ? 256 : 1024) * MIB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-bench-uploads-"));
  let child;
  const cleanup = () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", cleanup);
  try {
    writeRoutes(dir);
    const port = await freePort();
    const [command, args] = pinned(0, process.execPath, [
      path.join(ROOT, "dist", "src", "main.js"),
    ]);
    child = spawn(command, args, {
      cwd: dir,
      stdio: "ignore",
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: String(port),
        ROUTES_DIR: path.join(dir, "routes"),
        DATA_DIR: path.join(dir, "data"),
        LOG_LEVEL: "warn",
        REQUEST_TIMEOUT_MS: "0",
      },
    });
    for (let i = 0; i < 200 && (await getStatus(port, "/healthz").catch(() => 0)) !== 200; i++)
      await sleep(100);
    // taskset execs node in place: the child's PID is the server's.
    const pid = child.pid;
    await upload(port, "/api/upload", 4 * MIB);
    await sleep(500);
    const idle = rssOf(pid);
    let peak = idle;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 20);
    const started = performance.now();
    const big = await upload(port, "/api/upload", BIG).finally(() => clearInterval(sampler));
    const seconds = (performance.now() - started) / 1000;
    if (big.status !== 200) throw new Error(`the ${BIG / MIB} MiB upload answered ${big.status}`);
    const delta = (peak - idle) / 1e6;

    /**
     * 10 parallel uploads over fileSize: the 413s' delays after crossing it (p50 and max ms) and
     * the most a client had sent by then (MiB). The route is imported on its first request: one
     * refused upload first, so that the figure is the refusal's, not the import's.
     */
    const refused = async (chunked) => {
      await rawUpload(port, "/api/limited", 16 * MIB, { limit: LIMIT, chunked });
      const results = await Promise.all(
        Array.from({ length: PARALLEL }, () =>
          rawUpload(port, "/api/limited", 16 * MIB, { limit: LIMIT, chunked }),
        ),
      );
      if (results.some((r) => r.status !== 413))
        throw new Error("an upload over fileSize got no 413");
      const delays = results.map((r) => r.latencyMs).sort((a, b) => a - b);
      return {
        p50: delays[Math.floor(delays.length / 2)],
        max: delays[delays.length - 1],
        sentMib: Math.max(...results.map((r) => r.sentAtAnswer / MIB)),
      };
    };
    const announced = await refused(false);
    const chunked = await refused(true);
    // Removed when each response closes: after the lingering close (≤ 1 s) of a refused upload.
    await sleep(2000);
    const leftover = fs.readdirSync(path.join(dir, "data", "tmp-uploads")).length;
    return {
      bigMib: BIG / MIB,
      mibPerSecond: BIG / MIB / seconds,
      rssMb: delta,
      announced,
      chunked,
      leftover,
    };
  } finally {
    cleanup();
  }
}

module.exports = { measureUploads, rawUpload };

if (require.main === module) {
  const quick = process.argv.includes("--quick");
  measureUploads({ quick })
    .then(({ bigMib, mibPerSecond, rssMb, announced, chunked, leftover }) => {
      const row = (name, value, goal, pass) =>
        console.log(
          `${name.padEnd(44)} ${value.padStart(22)}  goal ${goal.padEnd(10)} ${pass ? "PASS" : "FAIL"}`,
        );
      console.log(
        `uploads (${quick ? "quick" : "full"}): server on core 0, clients on this process`,
      );
      row(
        `RSS over idle, ${bigMib} MiB to disk (${mibPerSecond.toFixed(0)} MiB/s)`,
        `+${rssMb.toFixed(1)} MB`,
        "+50 MB",
        rssMb <= 50,
      );
      const refusedRow = (how, { p50, max, sentMib }) =>
        row(
          `413 after crossing fileSize, ${PARALLEL} parallel, ${how}`,
          `p50 ${p50.toFixed(0)} / max ${max.toFixed(0)} ms (${sentMib.toFixed(1)} MiB sent)`,
          "100 ms",
          max <= 100,
        );
      refusedRow("Content-Length", announced);
      refusedRow("chunked", chunked);
      row("temporary upload folders left", String(leftover), "0", leftover === 0);
    })
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
