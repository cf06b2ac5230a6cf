// Generated route trees for the scaling and start-up measurements, in a temp folder (never in
// the repo): N static files r0000.js … or N dynamic folders d0000/[id].js …, compiled-style CommonJS.
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

/** Writes a tree of `count` routes; returns its folder and the URL of the last file in sort order. */
function writeRouteTree(root, kind, count) {
  const dir = path.join(root, `${kind}-${count}`);
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    if (kind === "static") fs.writeFileSync(path.join(dir, `r${pad(i)}.js`), handlerSource(`r${pad(i)}`));
    else {
      fs.mkdirSync(path.join(dir, `d${pad(i)}`));
      fs.writeFileSync(path.join(dir, `d${pad(i)}`, "[id].js"), handlerSource(`d${pad(i)}`));
    }
  }
  const last = pad(count - 1);
  return { dir, url: kind === "static" ? `/api/r${last}` : `/api/d${last}/42` };
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
  return { routesDir: path.join(dir, "routes"), pagesUrl: "/api/hello", webUrl: "/api/web-hello", nextResponseUrl: "/api/next-hello" };
}

/** The route handler nextpress serves in the comparison, compiled-style CommonJS; `next start` builds the same as ESM. */
const WEB_ROUTE = '"use strict";\nexports.GET = function GET() { return Response.json({ message: "Hello, World!" }); };\n';
const WEB_ROUTE_ESM = 'export function GET() { return Response.json({ message: "Hello, World!" }); }\n';

module.exports = { writeRouteTree, makeTempRoot, writeWebTree, WEB_ROUTE, WEB_ROUTE_ESM };
