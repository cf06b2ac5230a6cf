import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startHostileServer, type HostileServer } from "../hostile/support";

// A project moved from Next usually still has `next` in node_modules. Its next/server,
// next/headers and next/navigation need Next's own server around them; route files must get
// nextpress's modules instead, whichever way they import them. Here the project's `next` package
// throws when loaded, so a route that reached it would fail to start.
let project: string;
let server: HostileServer;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
  writeFileSync(path.join(project, file), text);
}

beforeAll(async () => {
  project = mkdtempSync(path.join(os.tmpdir(), "nextpress-next-installed-"));
  const subpaths = ["server", "headers", "navigation"];
  write(
    "node_modules/next/package.json",
    JSON.stringify({
      name: "next",
      version: "16.0.0",
      exports: Object.fromEntries(
        subpaths.flatMap((name) => [
          [`./${name}`, `./${name}.js`],
          [`./${name}.js`, `./${name}.js`],
        ]),
      ),
    }),
  );
  for (const name of subpaths)
    write(
      `node_modules/next/${name}.js`,
      `throw new Error("the project's own next/${name} was loaded");\n`,
    );
  write(
    "routes/edge-cjs.js",
    'const { NextResponse } = require("next/server");\nexports.config = { runtime: "edge" };\nexports.default = (req) => NextResponse.json({ style: "edge, CommonJS", path: req.nextUrl.pathname });\n',
  );
  write(
    "app/api/esm/route.mjs",
    'import { NextResponse } from "next/server";\nimport { headers } from "next/headers";\nexport async function GET() {\n  return NextResponse.json({ style: "app, ESM", agent: (await headers()).get("user-agent") });\n}\n',
  );
  write(
    "app/api/typescript/route.ts",
    'import { type NextRequest, NextResponse } from "next/server";\nimport { notFound } from "next/navigation";\nexport function GET(request: NextRequest) {\n  if (request.nextUrl.searchParams.has("missing")) notFound();\n  return NextResponse.json({ style: "app, TypeScript", path: request.nextUrl.pathname });\n}\n',
  );
  server = await startHostileServer("unused", {
    ROUTES_DIR: path.join(project, "routes"),
    LOG_LEVEL: "info",
  });
}, 60_000);

afterAll(async () => {
  if (server) {
    expect(server.spawned.stderr()).not.toMatch(/was loaded|Error/);
    expect(await server.stop()).toBe(0);
  }
  rmSync(project, { recursive: true, force: true });
});

const get = async (urlPath: string) => {
  const res = await fetch(server.url(urlPath), {
    headers: { "user-agent": "next-installed-test" },
  });
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as unknown) : await res.text(),
  };
};

describe("a project with its own `next` package installed", () => {
  it("resolves require('next/server') in a CommonJS edge route to nextpress's", async () => {
    expect(await get("/api/edge-cjs")).toEqual({
      status: 200,
      body: { style: "edge, CommonJS", path: "/api/edge-cjs" },
    });
  });

  it("resolves import of next/server and next/headers in an ES module route handler to nextpress's", async () => {
    expect(await get("/api/esm")).toEqual({
      status: 200,
      body: { style: "app, ESM", agent: "next-installed-test" },
    });
  });

  it("resolves next/server and next/navigation in a TypeScript route handler to nextpress's", async () => {
    expect(await get("/api/typescript")).toEqual({
      status: 200,
      body: { style: "app, TypeScript", path: "/api/typescript" },
    });
    expect(await get("/api/typescript?missing")).toEqual({ status: 404, body: "" });
  });
});
