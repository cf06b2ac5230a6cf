import request from "supertest";
import { buildTestApp } from "../helpers/app";

// Preview and draft mode at the HTTP level, as Next's CMS examples use them; the cookies are
// checked against Next's own (names and attributes of packages/next/src/server/api-utils).

const SECRET = "a-preview-secret-of-at-least-32-characters";
const cookiePairs = (setCookie: string[] | undefined) =>
  (setCookie ?? []).map((line) => line.split(";")[0]).join("; ");

describe("preview mode (res.setPreviewData)", () => {
  it("sets both of Next's cookies with its attributes, and redirects as the CMS example does", async () => {
    const { app } = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const res = await request(app).get("/api/preview/enter?secret=cms-secret&slug=hello-world");
    expect(res.status).toBe(307);
    expect(res.headers.location).toBe("/posts/hello-world");
    const [bypass, data] = res.headers["set-cookie"] as unknown as string[];
    expect(bypass).toMatch(
      /^__prerender_bypass=[0-9a-f]{64}; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=None$/,
    );
    expect(data).toMatch(
      /^__next_preview_data=[A-Za-z0-9_-]+; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=None$/,
    );
  });

  it("reads the data back on later requests: req.preview, req.previewData, req.draftMode", async () => {
    const { app } = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const entered = await request(app).get("/api/preview/enter?secret=cms-secret&slug=hello-world");
    const cookie = cookiePairs(entered.headers["set-cookie"] as unknown as string[]);
    const read = await request(app).get("/api/preview/read").set("Cookie", cookie);
    expect(read.body).toEqual({
      preview: true,
      previewData: { post: { slug: "hello-world" } },
      draftMode: true,
    });
    expect((await request(app).get("/api/preview/read")).body).toEqual({
      preview: null,
      previewData: false,
      draftMode: null,
    });
  });

  it("refuses a wrong secret before touching the cookies", async () => {
    const { app } = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const res = await request(app).get("/api/preview/enter?secret=nope&slug=x");
    expect(res.status).toBe(401);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("does not believe tampered data or another server's cookies, and clears them", async () => {
    const { app } = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const entered = await request(app).get("/api/preview/enter?secret=cms-secret&slug=hello-world");
    const [bypass, data] = (entered.headers["set-cookie"] as unknown as string[]).map(
      (line) => line.split(";")[0],
    );
    const tampered = `${bypass}; ${data.slice(0, -4)}AAAA`;
    const res = await request(app).get("/api/preview/read").set("Cookie", tampered);
    expect(res.body).toEqual({ preview: null, previewData: false, draftMode: null });
    expect(res.headers["set-cookie"]).toEqual([
      "__prerender_bypass=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None",
      "__next_preview_data=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None",
    ]);
    const other = await buildTestApp("next-preview", {
      PREVIEW_SECRET: "another-secret-of-at-least-32-characters!",
    });
    expect(
      (await request(other.app).get("/api/preview/read").set("Cookie", `${bypass}; ${data}`)).body
        .preview,
    ).toBeNull();
  });

  it("accepts the cookies on every replica that shares PREVIEW_SECRET", async () => {
    const first = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const second = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const entered = await request(first.app).get(
      "/api/preview/enter?secret=cms-secret&slug=replicated",
    );
    const cookie = cookiePairs(entered.headers["set-cookie"] as unknown as string[]);
    expect(
      (await request(second.app).get("/api/preview/read").set("Cookie", cookie)).body.previewData,
    ).toEqual({ post: { slug: "replicated" } });
  });

  it("without PREVIEW_SECRET, works within the process and warns once that it will not outlive it", async () => {
    const { app, logs } = await buildTestApp("next-preview");
    const entered = await request(app).get("/api/preview/enter?secret=cms-secret&slug=local");
    await request(app).get("/api/preview/enter?secret=cms-secret&slug=again");
    const cookie = cookiePairs(entered.headers["set-cookie"] as unknown as string[]);
    expect((await request(app).get("/api/preview/read").set("Cookie", cookie)).body.preview).toBe(
      true,
    );
    const warnings = logs.lines.filter((line) =>
      String(line.msg).startsWith("PREVIEW_SECRET is not set"),
    );
    expect(warnings).toHaveLength(1);
  });

  it("exits with res.clearPreviewData(): both cookies expired", async () => {
    const { app } = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const res = await request(app).get("/api/preview/exit");
    expect(res.status).toBe(307);
    expect(res.headers["set-cookie"]).toEqual([
      "__prerender_bypass=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None",
      "__next_preview_data=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None",
    ]);
  });

  it("uses SameSite=Lax without Secure in development (NODE_ENV=development), for http://localhost", async () => {
    const { app } = await buildTestApp("next-preview", {
      PREVIEW_SECRET: SECRET,
      NODE_ENV: "development",
    });
    const res = await request(app).get("/api/draft/enable");
    expect((res.headers["set-cookie"] as unknown as string[])[0]).toMatch(
      /^__prerender_bypass=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
  });
});

describe("draft mode (res.setDraftMode)", () => {
  it("sets the bypass cookie alone: req.draftMode true, req.previewData {}; disabling expires it", async () => {
    const { app } = await buildTestApp("next-preview", { PREVIEW_SECRET: SECRET });
    const enabled = await request(app).get("/api/draft/enable");
    expect(enabled.text).toBe("Draft mode is enabled");
    const lines = enabled.headers["set-cookie"] as unknown as string[];
    expect(lines).toHaveLength(1);
    const read = await request(app).get("/api/preview/read").set("Cookie", cookiePairs(lines));
    expect(read.body).toEqual({ preview: true, previewData: {}, draftMode: true });
    const disabled = await request(app).get("/api/draft/disable");
    expect(disabled.headers["set-cookie"]).toEqual([
      expect.stringMatching(
        /^__prerender_bypass=[0-9a-f]{64}; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None$/,
      ),
    ]);
  });
});

describe("Set-Cookie, as Next's patched res.setHeader keeps it", () => {
  it("reads back as an array, so that a handler can add to it", async () => {
    const { app } = await buildTestApp("next-preview");
    const res = await request(app).get("/api/cookies/set");
    expect(res.body).toEqual({
      readBack: ["first=1; Path=/"],
      isArray: true,
      after: ["first=1; Path=/", "second=2; Path=/", "third=3; Path=/"],
    });
    expect(res.headers["set-cookie"]).toEqual([
      "first=1; Path=/",
      "second=2; Path=/",
      "third=3; Path=/",
    ]);
  });

  it("ignores a header set after the response was sent, as Next does, instead of failing the request", async () => {
    const { app, logs } = await buildTestApp("next-preview");
    const res = await request(app).get("/api/cookies/late");
    expect(res.status).toBe(200);
    expect(res.headers["x-too-late"]).toBeUndefined();
    expect(logs.lines.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });
});
