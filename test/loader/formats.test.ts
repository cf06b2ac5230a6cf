import request from "supertest";
import { buildTestApp } from "../helpers/app";

describe("route module formats", () => {
  it.each([
    ["/api/esm", "esm.mjs"],
    ["/api/cjs", "cjs.cjs"],
    ["/api/cjs-js", "cjs-js.js"],
    ["/api/compiled", "compiled.js"],
    ["/api/typescript", "typescript.ts"],
    ["/api/top-level-await", "top-level-await.mjs"],
    ["/api/esm-pkg/route", "esm-pkg/route.js"],
  ])("%s is served by %s", async (url, file) => {
    const { app } = await buildTestApp("formats");
    const res = await request(app).get(url);
    expect(res.status).toBe(200);
    expect(res.body.file).toBe(file);
  });
});
