#!/usr/bin/env node
// What a real `next start` answers to the request-layer cases, written to
// test/router/next-observed.json for test/router/next-observed.test.ts to compare nextpress with.
// Installs next@16 (with react, react-dom, typescript) into a cache folder outside the repo, turns
// each fixture into a Next project (routes/ → pages/api/, app/ as is, proxy/middleware and
// next.config as they are), builds it, runs `next start -H localhost` and sends every case.
//   node scripts/observe-next.js [--cache DIR] [--only FIXTURE] (--only keeps the other fixtures')
"use strict";
const { execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const NEXT_VERSION = "16";
const cacheArg = process.argv.indexOf("--cache");
const CACHE =
  cacheArg === -1
    ? path.join(os.homedir() || os.tmpdir(), ".cache", "nextpress-observe", `next-${NEXT_VERSION}`)
    : path.resolve(process.argv[cacheArg + 1]);
const onlyArg = process.argv.indexOf("--only");
const ONLY = onlyArg === -1 ? undefined : process.argv[onlyArg + 1];
const OUT = path.join(root, "test", "router", "next-observed.json");

/**
 * The cases, by fixture. `pick` says what is compared: the status always, these response headers,
 * these keys of a JSON body (or the whole text). Hosts and ports are replaced by HOST/PORT.
 * @type {Record<string, { id: string, method?: string, path: string,
 *   headers?: Record<string, string>, body?: string,
 *   pick: { headers?: string[], json?: string[], text?: boolean } }[]>}
 */
const CASES = {
  "proxy-basic": [
    { id: "response-answers", path: "/api/blocked", pick: { json: ["message"] } },
    { id: "nothing-continues", path: "/api/plain?a=1", pick: { json: ["file", "query"] } },
    {
      id: "next-continues",
      path: "/api/echo",
      pick: { headers: ["x-proxy-ran", "x-middleware-next"], json: ["file"] },
    },
    { id: "before-404", path: "/api/nothing-here", pick: { headers: ["x-proxy-ran"] } },
    { id: "redirect-307", path: "/api/go", pick: { headers: ["location"], text: true } },
    { id: "redirect-308-away", path: "/api/go-away", pick: { headers: ["location", "refresh"] } },
    {
      id: "rewrite-pages",
      path: "/api/rewrite-me?q=kept",
      pick: { json: ["file", "query", "url"] },
    },
    { id: "rewrite-app", path: "/api/rewrite-app?q=kept", pick: { json: ["file", "url"] } },
    {
      id: "rewrite-external",
      method: "POST",
      path: "/api/external?y=2",
      headers: { "x-upstream": "UPSTREAM", "content-type": "text/plain" },
      body: "hello upstream",
      pick: { headers: ["x-upstream", "x-saw-forwarded"], text: true },
    },
    {
      id: "override-pages",
      path: "/api/override",
      headers: { "x-remove-me": "gone", "x-keep": "kept", cookie: "a=1" },
      pick: {
        headers: ["x-proxy-response", "set-cookie"],
        json: ["headers.x-from-proxy", "headers.x-keep", "headers.x-remove-me", "cookies"],
      },
    },
    {
      id: "override-app",
      path: "/app/echo",
      headers: { "x-remove-me": "gone", "x-keep": "kept", cookie: "a=1" },
      pick: {
        headers: ["set-cookie"],
        json: [
          "headers.x-from-proxy",
          "headers.x-remove-me",
          "requestHeaders.x-from-proxy",
          "cookies",
        ],
      },
    },
    {
      id: "override-edge",
      path: "/api/edge",
      headers: { "x-remove-me": "gone" },
      pick: { json: ["file", "headers.x-from-proxy", "headers.x-remove-me"] },
    },
    { id: "matcher-skips", path: "/elsewhere", pick: { headers: ["x-proxy-ran"] } },
    { id: "matcher-has-missing", path: "/gated/x", pick: { headers: ["x-proxy-ran"] } },
    {
      id: "matcher-has-holds",
      path: "/gated/x",
      headers: { "x-let-in": "1" },
      pick: { headers: ["x-proxy-ran"] },
    },
    {
      id: "body-read-pages",
      method: "POST",
      path: "/api/read-body",
      headers: { "content-type": "application/json" },
      body: '{"n":1}',
      pick: { headers: ["x-proxy-read"], json: ["file", "body"] },
    },
    {
      id: "body-read-app",
      method: "POST",
      path: "/app/read-body",
      headers: { "content-type": "application/json" },
      body: '{"n":2}',
      pick: { headers: ["x-proxy-read"], json: ["file", "body"] },
    },
  ],
  "next-config-basic": [
    {
      id: "headers-last-wins",
      path: "/api/echo",
      pick: { headers: ["access-control-allow-origin", "x-rule", "x-debug"] },
    },
    { id: "headers-has-query", path: "/api/echo?debug=1", pick: { headers: ["x-debug"] } },
    { id: "headers-params", path: "/api/users/7", pick: { headers: ["x-user-7"], json: ["id"] } },
    {
      id: "headers-on-404",
      path: "/api/nowhere",
      pick: { headers: ["access-control-allow-origin"] },
    },
    {
      id: "redirect-permanent",
      path: "/api/old/42?keep=1",
      pick: { headers: ["location", "refresh"], text: true },
    },
    {
      id: "redirect-temporary",
      path: "/api/temp",
      pick: { headers: ["location", "access-control-allow-origin"] },
    },
    {
      id: "redirect-status-code",
      path: "/docs/router-status/500",
      pick: { headers: ["location"] },
    },
    {
      id: "redirect-catch-all",
      path: "/docs/v2/advanced/now-for-github",
      pick: { headers: ["location"] },
    },
    { id: "redirect-external", path: "/to-external", pick: { headers: ["location"] } },
    { id: "redirect-has-missing", path: "/api/by-cookie", pick: { headers: ["location"] } },
    {
      id: "redirect-has-capture",
      path: "/api/by-cookie",
      headers: { cookie: "beta=yes" },
      pick: { headers: ["location"] },
    },
    { id: "before-files", path: "/api/shadowed", pick: { json: ["file", "query"] } },
    { id: "after-files-no-shadow", path: "/api/hello", pick: { json: ["file"] } },
    {
      id: "after-files-beats-dynamic",
      path: "/api/users/special",
      pick: { json: ["file", "query"] },
    },
    { id: "dynamic", path: "/api/users/8", pick: { json: ["file", "id"] } },
    { id: "rewrite-unused-params", path: "/legacy/a/b?x=1", pick: { json: ["file", "query"] } },
    { id: "fallback", path: "/api/fallback/x", pick: { json: ["file", "query"] } },
    { id: "trailing-slash", path: "/api/old/42/", pick: { headers: ["location"] } },
  ],
  "next-config-base": [
    {
      id: "base-path-route",
      path: "/base/api/echo/?a=1",
      pick: {
        headers: ["x-proxy-saw", "x-proxy-base-path", "x-proxy-url", "x-proxy-href"],
        json: ["file", "url"],
      },
    },
    { id: "outside-base-path", path: "/api/echo/", pick: { headers: ["x-proxy-saw"] } },
    { id: "trailing-slash-added", path: "/base/api/echo?a=1", pick: { headers: ["location"] } },
    { id: "redirect-in-base", path: "/base/old/", pick: { headers: ["location"] } },
    { id: "redirect-base-false", path: "/outside/", pick: { headers: ["location"] } },
    {
      id: "route-handler-base-path",
      path: "/base/api/web/",
      pick: { json: ["file", "url", "pathname", "basePath"] },
    },
  ],
  "next-config-ts": [
    { id: "ts-headers", path: "/api/hello", pick: { headers: ["x-config-file"], json: ["file"] } },
    { id: "ts-redirect", path: "/api/old", pick: { headers: ["location"] } },
    { id: "ts-rewrite", path: "/api/alias", pick: { json: ["file", "query"] } },
  ],
};

function run(command, args, cwd) {
  execFileSync(command, args, {
    cwd,
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 600_000,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CI: "1" },
  });
}

function install() {
  if (fs.existsSync(path.join(CACHE, "node_modules", "next", "package.json"))) return;
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(path.join(CACHE, "package.json"), '{ "private": true }\n');
  const packages = [`next@${NEXT_VERSION}`, "react@19", "react-dom@19", "typescript@~5.9.3"];
  packages.push("@types/react@19", "@types/node@24");
  run("npm", ["install", "--no-audit", "--no-fund", ...packages], CACHE);
}

/** A file copied into the Next project, its `nextpress` type imports made `next` ones. */
function copyFile(source, target) {
  const text = fs.readFileSync(source, "utf8").replace(/from "nextpress"/g, 'from "next"');
  fs.writeFileSync(target, text);
}

function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) copyTree(source, path.join(to, entry.name));
    else copyFile(source, path.join(to, entry.name));
  }
}

/** The fixture as a built Next project: routes/ → pages/api/, the rest as it is. */
function prepareProject(fixtureName) {
  const dir = path.join(CACHE, "projects", fixtureName);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const from = path.join(root, "test", "fixtures", fixtureName);
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name === "README.md") continue;
    const source = path.join(from, entry.name);
    if (entry.name === "routes") copyTree(source, path.join(dir, "pages", "api"));
    else if (entry.isDirectory()) copyTree(source, path.join(dir, entry.name));
    else copyFile(source, path.join(dir, entry.name));
  }
  fs.writeFileSync(path.join(dir, "package.json"), '{ "private": true }\n');
  fs.symlinkSync(path.join(CACHE, "node_modules"), path.join(dir, "node_modules"));
  run(process.execPath, [nextBin(), "build"], dir);
  return dir;
}

const nextBin = () => path.join(CACHE, "node_modules", "next", "dist", "bin", "next");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** The upstream an external rewrite reaches: it says what it received (the test runs the same). */
function startUpstream() {
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk.toString()));
    req.on("end", () => {
      const forwarded = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => name.startsWith("x-forwarded-")),
      );
      res.setHeader("x-upstream", "yes");
      res.setHeader("x-saw-forwarded", JSON.stringify(forwarded));
      res.setHeader("content-type", "text/plain");
      res.end(`upstream saw ${req.method} ${req.url} ${body}`);
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Hosts and ports that differ from run to run, replaced by names. */
function normalize(value, ports) {
  if (typeof value === "string") {
    let text = value;
    for (const [port, name] of ports) {
      text = text.replace(new RegExp(`(localhost|127\\.0\\.0\\.1|\\[::1\\]):${port}`, "g"), name);
      text = text.replaceAll(String(port), `${name}_PORT`);
    }
    return text.replace(/::ffff:127\.0\.0\.1|127\.0\.0\.1|::1/g, "LOOPBACK");
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item, ports));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, normalize(item, ports)]),
    );
  return value;
}

function dig(value, dotted) {
  return dotted
    .split(".")
    .reduce((at, key) => (at && typeof at === "object" ? at[key] : undefined), value);
}

async function observe(base, upstreamUrl, spec) {
  const headers = Object.fromEntries(
    Object.entries(spec.headers ?? {}).map(([k, v]) => [k, v === "UPSTREAM" ? upstreamUrl : v]),
  );
  const res = await fetch(base + spec.path, {
    method: spec.method ?? "GET",
    headers,
    body: spec.body,
    redirect: "manual",
  });
  const text = await res.text();
  const seen = { status: res.status };
  if (spec.pick.headers)
    seen.headers = Object.fromEntries(
      spec.pick.headers.map((name) => [name, res.headers.get(name)]),
    );
  if (spec.pick.json) {
    const body = JSON.parse(text);
    seen.json = Object.fromEntries(spec.pick.json.map((key) => [key, dig(body, key) ?? null]));
  }
  if (spec.pick.text) seen.text = text;
  return seen;
}

async function waitForServer(url, child) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error("next start did not answer within 60 s");
}

async function main() {
  install();
  const version = JSON.parse(
    fs.readFileSync(path.join(CACHE, "node_modules", "next", "package.json"), "utf8"),
  ).version;
  const upstream = await startUpstream();
  const upstreamPort = upstream.address().port;
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const previous = ONLY && fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, "utf8")) : {};
  const result = {
    next: version,
    command: "next start -H localhost",
    fixtures: previous.next === version ? previous.fixtures : {},
  };
  try {
    for (const [fixtureName, cases] of Object.entries(CASES)) {
      if (ONLY && fixtureName !== ONLY) continue;
      const dir = prepareProject(fixtureName);
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [nextBin(), "start", "-H", "localhost", "-p", String(port)],
        {
          cwd: dir,
          stdio: ["ignore", "inherit", "inherit"],
          env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
        },
      );
      const base = `http://localhost:${port}`;
      try {
        await waitForServer(`${base}/`, child);
        const ports = [
          [port, "HOST"],
          [upstreamPort, "UPSTREAM"],
        ];
        const observed = [];
        for (const spec of cases) {
          const seen = await observe(base, upstreamUrl, spec);
          observed.push({ ...spec, observed: normalize(seen, ports) });
        }
        result.fixtures[fixtureName] = observed;
      } finally {
        child.kill("SIGTERM");
      }
    }
  } finally {
    upstream.close();
  }
  fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${path.relative(root, OUT)} (next ${version})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
