import request from "supertest";
import { createUrlRedactor, DEFAULT_REDACTED_QUERY_KEYS } from "../../src/http/redact-url";
import { buildTestApp, type TestApp } from "../helpers/app";

describe("createUrlRedactor", () => {
  const redact = createUrlRedactor(DEFAULT_REDACTED_QUERY_KEYS);
  it.each([
    ["/api/x", "/api/x"],
    ["/api/x?a=1", "/api/x?a=1"],
    ["/api/x?access_token=s3cret", "/api/x?access_token=[redacted]"],
    ["/api/x?a=1&token=t&b=2", "/api/x?a=1&token=[redacted]&b=2"],
    [
      "/api/x?PASSWORD=p&api_key=k&apikey=k&key=k",
      "/api/x?PASSWORD=[redacted]&api_key=[redacted]&apikey=[redacted]&key=[redacted]",
    ],
    ["/api/x?acc%65ss_token=s3cret", "/api/x?acc%65ss_token=[redacted]"],
    ["/api/x?code=c&state=s", "/api/x?code=[redacted]&state=s"],
    [
      "/api/x?X-Amz-Signature=abc&X-Amz-Credential=def",
      "/api/x?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]",
    ],
    ["/api/x?token", "/api/x?token"],
    ["/api/x?tokens=1&mytoken=2", "/api/x?tokens=1&mytoken=2"],
    ["/api/x?%zz=1&sig=a=b", "/api/x?%zz=1&sig=[redacted]"],
  ])("%s → %s", (url, logged) => expect(redact(url)).toBe(logged));

  it("redacts only the listed keys, and nothing with an empty list", () => {
    expect(createUrlRedactor(["session"])("/x?session=a&token=b")).toBe(
      "/x?session=[redacted]&token=b",
    );
    expect(createUrlRedactor([])("/x?token=b")).toBe("/x?token=b");
  });
});

describe("credentials in logged URLs (LOG_REDACT_QUERY)", () => {
  const apps: TestApp[] = [];
  const build = async (fixture: string, env: Record<string, string> = {}) => {
    const built = await buildTestApp(fixture, env);
    apps.push(built);
    return built;
  };
  afterAll(() => Promise.all(apps.map((built) => built.close())));

  it("redacts the request line's url by default, and the error line's message", async () => {
    const { app, logs } = await build("hostile-faults");
    await request(app).get("/api/echo?access_token=s3cret-a&password=s3cret-b&page=2");
    await request(app).get("/api/throw-sync?api_key=s3cret-c");
    const completed = logs.lines.filter((line) => line.msg === "request completed");
    expect(completed.map((line) => line.url)).toEqual([
      "/api/echo?access_token=[redacted]&password=[redacted]&page=2",
      "/api/throw-sync?api_key=[redacted]",
    ]);
    expect(logs.text()).toContain("GET /api/throw-sync?api_key=[redacted] failed");
    expect(logs.text()).not.toMatch(/s3cret/);
  });

  it("redacts the keys LOG_REDACT_QUERY lists instead, and none with off", async () => {
    const custom = await build("hostile-faults", { LOG_REDACT_QUERY: "Session, otp" });
    await request(custom.app).get("/api/echo?session=a&OTP=b&token=c");
    expect(custom.logs.lines.find((line) => line.msg === "request completed")?.url).toBe(
      "/api/echo?session=[redacted]&OTP=[redacted]&token=c",
    );
    const off = await build("hostile-faults", { LOG_REDACT_QUERY: "off" });
    await request(off.app).get("/api/echo?token=c");
    expect(off.logs.lines.find((line) => line.msg === "request completed")?.url).toBe(
      "/api/echo?token=c",
    );
  });
});
