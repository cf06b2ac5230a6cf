import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { trackProcess } from "./process";
import { requireSystemPackage } from "./system-packages";

export interface Nginx {
  port: number;
  /** What nginx wrote to its error log so far. */
  errorLog: () => string;
  stop: () => Promise<void>;
}

function findNginx(): string {
  requireSystemPackage("nginx-light");
  for (const candidate of ["/usr/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      execFileSync(candidate, ["-v"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    "nginx is not installed: `apt-get install nginx-light` (npm test installs it when run as root)",
  );
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.listen(0, "127.0.0.1", () => {
        const { port: free } = server.address() as net.AddressInfo;
        server.close(() => resolve(free));
      });
      server.once("error", reject);
    });
    // The OS may hand the same port out again once it is closed: two servers a test starts
    // must not be given one port (the second would fail to listen while the first answers for both).
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

/** Every port freePort gave in this test file's process. */
const handedOut = new Set<number>();

/** The temp-folder settings every test nginx needs: nothing is written outside `dir`. */
function tempPaths(dir: string): string {
  return ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((sub) => `${sub}_temp_path ${dir}/${sub};`)
    .join("\n  ");
}

/**
 * A real nginx on a loopback port in front of `upstreamPort`, configured as docs/operations.md's
 * deployment example: X-Forwarded-For appended, -Proto and -Host set, X-Request-Id passed through
 * or generated. Everything lives in a temp folder; stop() sends SIGQUIT to its PID.
 */
export async function startNginx(upstreamPort: number): Promise<Nginx> {
  return runNginx(
    (dir, port) => `worker_processes 1;
events { worker_connections 128; }
http {
  access_log off;
  ${tempPaths(dir)}
  map $http_x_request_id $forwarded_request_id { default $http_x_request_id; "" $request_id; }
  upstream api { server 127.0.0.1:${upstreamPort}; keepalive 8; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Request-Id $forwarded_request_id;
    }
  }
}
`,
  );
}

/**
 * The plainest nginx in front of several replicas: static upstreams with nginx's defaults
 * (passive failover: `max_fails=1 fail_timeout=10s`, `proxy_next_upstream error timeout`) and
 * upstream keep-alive, as most hand-written configurations have it. `addHeaders` as in
 * startDeployedNginx.
 */
export async function startPlainNginx(
  upstreamPorts: readonly number[],
  addHeaders: Record<string, string> = {},
): Promise<Nginx> {
  const servers = upstreamPorts.map((p) => `server 127.0.0.1:${p};`).join(" ");
  const headers = Object.entries(addHeaders)
    .map(([name, value]) => `add_header ${name} ${value} always;`)
    .join(" ");
  return runNginx(
    (dir, port) => `worker_processes 1;
events { worker_connections 1024; }
http {
  access_log off;
  ${tempPaths(dir)}
  upstream api { ${servers} keepalive 32; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      ${headers}
    }
  }
}
`,
  );
}

/** `text` with `pattern` replaced, or a loud failure when deploy/nginx.conf no longer has it. */
function replaceIn(
  text: string,
  pattern: RegExp,
  replacement: string | ((...groups: string[]) => string),
): string {
  if (!pattern.test(text))
    throw new Error(
      `deploy/nginx.conf no longer matches ${String(pattern)}: update test/helpers/nginx.ts`,
    );
  return text.replace(pattern, replacement as string);
}

/**
 * The shipped deploy/nginx.conf, run as it is except for what only a container has: the
 * replicas are `upstreamPorts` on 127.0.0.1 (with the file's own server parameters) instead of
 * Docker's DNS name, it listens on a free loopback port, and its files live in a temp folder.
 * `addHeaders` are added to every answer (say, which replica answered: `$upstream_addr`).
 */
export async function startDeployedNginx(
  upstreamPorts: readonly number[],
  addHeaders: Record<string, string> = {},
): Promise<Nginx> {
  const deployed = readFileSync(path.join(__dirname, "..", "..", "deploy", "nginx.conf"), "utf8");
  return runNginx((dir, port) => {
    let text = deployed;
    text = replaceIn(
      text,
      /^events \{\}/m,
      "worker_processes 1;\nevents { worker_connections 1024; }",
    );
    text = replaceIn(text, /^http \{$/m, `http {\n  access_log off;\n  ${tempPaths(dir)}`);
    text = replaceIn(text, /^\s*resolver .*;$/m, "");
    text = replaceIn(text, /server api:3000 resolve([^;]*);/, (_match, params) =>
      upstreamPorts.map((p) => `server 127.0.0.1:${p}${params};`).join("\n    "),
    );
    text = replaceIn(text, /listen 80;/, `listen 127.0.0.1:${port};`);
    const headers = Object.entries(addHeaders).map(
      ([name, value]) => `add_header ${name} ${value} always;`,
    );
    return replaceIn(
      text,
      /proxy_pass http:\/\/api;/,
      ["proxy_pass http://api;", ...headers].join("\n      "),
    );
  });
}

/** Starts nginx with the configuration `configure(dir, port)` writes, and waits until it accepts connections. */
async function runNginx(configure: (dir: string, port: number) => string): Promise<Nginx> {
  const binary = findNginx();
  const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-nginx-"));
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"])
    mkdirSync(path.join(dir, sub));
  // Workers run as nobody when the master is root: they need to reach the temp folders.
  chmodSync(dir, 0o755);
  const port = await freePort();
  writeFileSync(path.join(dir, "nginx.conf"), configure(dir, port));
  const child: ChildProcess = spawn(
    binary,
    [
      "-p",
      dir,
      "-c",
      path.join(dir, "nginx.conf"),
      "-e",
      path.join(dir, "error.log"),
      "-g",
      `daemon off; pid ${dir}/nginx.pid;`,
    ],
    { stdio: "ignore", detached: true },
  );
  // Stopped with the test file whatever happens (see helpers/process.ts), SIGQUIT below when all goes well.
  const { exited } = trackProcess(child);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null)
      throw new Error(`nginx exited: ${readFileSync(path.join(dir, "error.log"), "utf8")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    errorLog: () => readFileSync(path.join(dir, "error.log"), "utf8"),
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGQUIT");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
