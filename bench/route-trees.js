// Generated route trees for the scaling and start-up measurements, in a temp folder (never in
// the repo): N static files r0000.js … or N dynamic folders d0000/[id].js …, compiled-style CommonJS;
// and the framework tree: GET /api/hello and a zod-validated POST /api/users that answers what it
// got, without a database (what the sample's users route was before it kept its users), so that
// the comparisons with bare Express measure nextpress itself.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const pad = (i) => String(i).padStart(4, "0");

function handlerSource(label) {
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    `exports.default = function handler(req, res) { res.status(200).json({ route: ${JSON.stringify(label)}, id: req.query.id }); };`,
    "",
  ].join("\n");
}

/** The same handler as raw TypeScript (what a project moving from Next has, before any build). */
function typeScriptSource(label) {
  return [
    'import type { NextApiRequest, NextApiResponse } from "next";',
    "",
    "export default function handler(req: NextApiRequest, res: NextApiResponse): void {",
    `  res.status(200).json({ route: ${JSON.stringify(label)}, id: req.query.id });`,
    "}",
    "",
  ].join("\n");
}

/**
 * Writes a tree of `count` routes (`.js` compiled-style CommonJS, or `.ts` source); returns its
 * folder and the URL of the last file in sort order.
 */
function writeRouteTree(root, kind, count, ext = ".js") {
  const dir = path.join(root, `${kind}-${count}`);
  const source = ext === ".ts" ? typeScriptSource : handlerSource;
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    if (kind === "static")
      fs.writeFileSync(path.join(dir, `r${pad(i)}${ext}`), source(`r${pad(i)}`));
    else {
      fs.mkdirSync(path.join(dir, `d${pad(i)}`));
      fs.writeFileSync(path.join(dir, `d${pad(i)}`, `[id]${ext}`), source(`d${pad(i)}`));
    }
  }
  const last = pad(count - 1);
  return { dir, url: kind === "static" ? `/api/r${last}` : `/api/d${last}/42` };
}

/** hello.js and users.js (defineRoute + zod, required from this project by absolute path). */
function writeFrameworkTree(root, projectRoot) {
  const dir = path.join(root, "framework");
  fs.mkdirSync(dir, { recursive: true });
  const nextpress = JSON.stringify(path.join(projectRoot, "dist", "src", "index.js"));
  const zod = JSON.stringify(require.resolve("zod", { paths: [projectRoot] }));
  fs.writeFileSync(
    path.join(dir, "hello.js"),
    handlerSource("hello").replace(
      '{ route: "hello", id: req.query.id }',
      '{ message: "Hello, World!" }',
    ),
  );
  fs.writeFileSync(
    path.join(dir, "users.js"),
    [
      '"use strict";',
      'Object.defineProperty(exports, "__esModule", { value: true });',
      `const { defineRoute } = require(${nextpress});`,
      `const { z } = require(${zod});`,
      "const NewUser = z.object({ name: z.string().trim().min(1).max(100), email: z.email() });",
      "exports.POST = defineRoute({",
      '  schema: { body: NewUser, responses: { 201: z.object({ message: z.literal("User created"), user: NewUser }) } },',
      '  handler(req, res) { res.status(201).json({ message: "User created", user: req.body }); },',
      "});",
      "",
    ].join("\n"),
  );
  return { dir, url: "/api/hello" };
}

function makeTempRoot() {
  return fs.mkdtempSync(path.join(os.tmpdir(), "nextpress-bench-"));
}

/**
 * A project with a pages route and an app-router route handler answering the same JSON, served by
 * one server: the Web route's cost against the pages route's, in the same process.
 */
function writeWebTree(root) {
  const dir = path.join(root, "web");
  fs.mkdirSync(path.join(dir, "routes"), { recursive: true });
  fs.mkdirSync(path.join(dir, "app", "api", "web-hello"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "routes", "hello.js"),
    '"use strict";\nexports.default = function handler(req, res) { res.status(200).json({ message: "Hello, World!" }); };\n',
  );
  fs.writeFileSync(path.join(dir, "app", "api", "web-hello", "route.js"), WEB_ROUTE);
  fs.mkdirSync(path.join(dir, "app", "api", "next-hello"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "app", "api", "next-hello", "route.js"),
    '"use strict";\nconst { NextResponse } = require("next/server");\nexports.GET = function GET() { return NextResponse.json({ message: "Hello, World!" }); };\n',
  );
  return {
    routesDir: path.join(dir, "routes"),
    pagesUrl: "/api/hello",
    webUrl: "/api/web-hello",
    nextResponseUrl: "/api/next-hello",
  };
}

/** The route handler nextpress serves in the comparison, compiled-style CommonJS; `next start` builds the same as ESM. */
const WEB_ROUTE =
  '"use strict";\nexports.GET = function GET() { return Response.json({ message: "Hello, World!" }); };\n';
const WEB_ROUTE_ESM =
  'export function GET() { return Response.json({ message: "Hello, World!" }); }\n';

module.exports = {
  writeRouteTree,
  writeFrameworkTree,
  makeTempRoot,
  writeWebTree,
  WEB_ROUTE,
  WEB_ROUTE_ESM,
};
