import { readFileSync } from "node:fs";
import path from "node:path";
import request from "supertest";
import type { NextpressApp } from "../../src/app/create-app";
import type { Route } from "../../src/loader/load-routes";
import { loadConfig } from "../../src/config";
import { documentRoutes } from "../../src/openapi";
import { DOCS_CSP } from "../../src/openapi/docs-middleware";
import { buildTestApp, fixture } from "../helpers/app";

const SWAGGER_UI = path.dirname(require.resolve("swagger-ui-dist/package.json"));

let app: NextpressApp["app"];
let routes: NextpressApp["routes"];
beforeAll(async () => ({ app, routes } = await buildTestApp("openapi-rich")));

describe("GET /openapi.json", () => {
  it("serves the document of the app's route table, as JSON", async () => {
    const res = await request(app).get("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.body).toStrictEqual(
      JSON.parse(JSON.stringify(documentRoutes(routes as Route[], fixture("openapi-rich")))),
    );
    expect(res.body.info.title).toBe("rich-api");
  });

  it("answers 304 to a matching If-None-Match, and HEAD without a body", async () => {
    const first = await request(app).get("/openapi.json?x=1");
    const again = await request(app).get("/openapi.json").set("If-None-Match", first.headers.etag);
    expect(again.status).toBe(304);
    const head = await request(app).head("/openapi.json");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(first.headers["content-length"]);
    expect(head.text).toBeUndefined();
  });

  it("keeps the API's security headers", async () => {
    const res = await request(app).get("/openapi.json");
    expect(res.headers["content-security-policy"]).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(res.headers["x-request-id"]).toBeDefined();
  });

  it("leaves other methods to the 404", async () => {
    expect((await request(app).post("/openapi.json")).status).toBe(404);
  });
});

describe("GET /docs", () => {
  it("serves a page that loads swagger-ui from /docs/ and its own init script, nothing inline", async () => {
    const res = await request(app).get("/docs");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.text).toContain("<title>rich-api · API reference</title>");
    const scripts = [...res.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map(([, attributes, body]) => [attributes.trim(), body])).toStrictEqual([
      ['src="docs/swagger-ui-bundle.js"', ""],
      ['src="docs/init.js"', ""],
    ]);
    expect(res.text).not.toMatch(/https?:\/\//);
  });

  it("has its own CSP: scripts and styles from this origin only, no 'unsafe-inline' and no 'unsafe-eval'", async () => {
    const res = await request(app).get("/docs");
    expect(res.headers["content-security-policy"]).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self';");
    expect(DOCS_CSP).toContain("default-src 'none'");
    expect(DOCS_CSP).not.toContain("unsafe");
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });

  it("serves swagger-ui-dist's files from node_modules, with their types", async () => {
    for (const [name, type] of [
      ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
      ["swagger-ui.css", "text/css; charset=utf-8"],
      ["favicon-32x32.png", "image/png"],
    ]) {
      const res = await request(app)
        .get(`/docs/${name}`)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => done(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe(type);
      expect((res.body as Buffer).equals(readFileSync(path.join(SWAGGER_UI, name)))).toBe(true);
    }
  });

  it("serves the init script that points swagger-ui at openapi.json, without the online validator", async () => {
    const res = await request(app).get("/docs/init.js");
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(res.text).toContain('url: "openapi.json"');
    expect(res.text).toContain("validatorUrl: null");
  });

  it("serves nothing else from the package, and redirects /docs/ to /docs", async () => {
    expect((await request(app).get("/docs/package.json")).status).toBe(404);
    expect((await request(app).get("/docs/../package.json")).status).toBe(404);
    expect((await request(app).get("/docs/swagger-ui-bundle.js.map")).status).toBe(404);
    const slash = await request(app).get("/docs/");
    expect(slash.status).toBe(308);
    expect(slash.headers.location).toBe("../docs");
  });

  it("does not get in the way of the API", async () => {
    const res = await request(app).get("/api/items");
    expect(res.status).toBe(200);
    expect(res.body.page).toBe(1);
  });
});

describe("OPENAPI=false", () => {
  it("is read as a boolean, on by default, and a bad value stops start-up naming it", () => {
    expect(loadConfig({}).openapi).toBe(true);
    for (const off of ["false", "FALSE", "0", "no"])
      expect(loadConfig({ OPENAPI: off }).openapi).toBe(false);
    for (const on of ["true", "1", "yes"]) expect(loadConfig({ OPENAPI: on }).openapi).toBe(true);
    expect(() => loadConfig({ OPENAPI: "maybe" })).toThrow(
      'OPENAPI="maybe": expected true or false',
    );
  });

  it("serves neither /openapi.json nor /docs", async () => {
    const { app: off } = await buildTestApp("openapi-rich", { OPENAPI: "false" });
    for (const url of ["/openapi.json", "/docs", "/docs/init.js", "/docs/swagger-ui-bundle.js"]) {
      expect((await request(off).get(url)).status).toBe(404);
    }
    expect((await request(off).get("/api/items")).status).toBe(200);
  });
});
