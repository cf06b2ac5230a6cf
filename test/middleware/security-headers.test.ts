import request from "supertest";
import {
  API_HELMET_OPTIONS,
  computeHelmetHeaders,
  DOCUMENT_CSP,
} from "../../src/middleware/security-headers";
import { buildTestApp } from "../helpers/app";

// The strict API default everywhere, changed per route or per folder with securityHeaders().
const API_HEADERS = Object.fromEntries(
  computeHelmetHeaders(API_HELMET_OPTIONS).map(([name, value]) => [name.toLowerCase(), value]),
);

describe("securityHeaders() per route and per folder", () => {
  it("leaves the strict API headers on a route that does not change them", async () => {
    const { app } = await buildTestApp("route-headers");
    const res = await request(app).get("/api/api");
    expect(res.headers).toMatchObject(API_HEADERS);
    expect(res.headers["content-security-policy"]).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
  });

  it("gives a page a route serves on purpose its own CSP, with helmet's other defaults", async () => {
    const { app } = await buildTestApp("route-headers");
    const res = await request(app).get("/api/graphiql");
    expect(res.status).toBe(200);
    // helmet's default directives, with the route's own in place of theirs.
    const csp = String(res.headers["content-security-policy"]).split(";");
    expect(csp).toEqual(
      expect.arrayContaining([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://unpkg.com",
        "style-src 'self' 'unsafe-inline' https://unpkg.com",
        "object-src 'none'",
      ]),
    );
    // helmet's default, not the API's DENY: the page may be framed by its own origin.
    expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("turns every security header off below a folder whose _middleware says securityHeaders(false)", async () => {
    const { app } = await buildTestApp("route-headers");
    const res = await request(app).get("/api/open/legacy");
    expect(res.body).toEqual({ file: "open/legacy.ts" });
    for (const name of Object.keys(API_HEADERS)) expect(res.headers[name]).toBeUndefined();
    expect(res.headers["x-request-id"]).toBeDefined();
  });

  it("keeps the API headers on errors and 404s everywhere", async () => {
    const { app } = await buildTestApp("route-headers");
    expect((await request(app).get("/api/open/missing")).headers).toMatchObject(API_HEADERS);
  });
});

describe("an HTML answer that sets no CSP of its own", () => {
  it.each([
    ["a pages route", "/api/graphiql"],
    ["an app route", "/web-page"],
  ])("%s gets the document policy: its inline script and styles may run", async (_what, path) => {
    const { app } = await buildTestApp("html-page/routes");
    const res = await request(app).get(path);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.headers["content-security-policy"]).toBe(DOCUMENT_CSP);
    expect(res.headers["x-frame-options"]).toBe("DENY");
  });

  it("JSON keeps the strict API policy", async () => {
    const { app } = await buildTestApp("html-page/routes");
    const res = await request(app).get("/api/data");
    expect(res.headers["content-security-policy"]).toBe(API_HEADERS["content-security-policy"]);
  });

  it("a route's own policy is left as it is", async () => {
    const { app } = await buildTestApp("html-page/routes");
    const res = await request(app).get("/api/own-policy");
    expect(res.headers["content-security-policy"]).toBe("default-src 'self'");
  });
});
