import { NextURL } from "../../src/web/next-url";

// Next's NextURL (packages/next/src/server/web/next-url.ts): the pathname without the basePath,
// the basePath itself, and href / toString() with it.
const base = { nextConfig: { basePath: "/base" } };

describe("NextURL", () => {
  it.each([
    ["http://h/base/api/x?a=1", "/api/x", "/base", "http://h/base/api/x?a=1"],
    ["http://h/base", "/", "/base", "http://h/base"],
    ["http://h/base/", "/", "/base", "http://h/base"],
    ["http://h/basement", "/basement", "", "http://h/basement"],
    ["http://h/api/x", "/api/x", "", "http://h/api/x"],
  ])("%s → pathname %s, basePath %j, href %s", (input, pathname, basePath, href) => {
    const url = new NextURL(input, base);
    expect(url.pathname).toBe(pathname);
    expect(url.basePath).toBe(basePath);
    expect(url.href).toBe(href);
    expect(String(url)).toBe(href);
    expect(JSON.stringify({ url })).toBe(JSON.stringify({ url: href }));
  });

  it("has no basePath without next.config's", () => {
    const url = new NextURL("http://h/base/api");
    expect(url.basePath).toBe("");
    expect(url.pathname).toBe("/base/api");
  });

  it("a clone keeps the basePath; a changed pathname is put under it", () => {
    const url = new NextURL("http://h/base/api/x", base).clone();
    url.pathname = "/api/y";
    expect(url.basePath).toBe("/base");
    expect(url.href).toBe("http://h/base/api/y");
    expect(new URL(url).pathname).toBe("/base/api/y");
  });

  it("takes a base URL as its second argument, as Next's does", () => {
    const url = new NextURL("/base/a", "http://h", base);
    expect(url.pathname).toBe("/a");
    expect(url.basePath).toBe("/base");
  });

  it("setting href reads the basePath again", () => {
    const url = new NextURL("http://h/x", base);
    url.href = "http://h/base/z";
    expect(url.pathname).toBe("/z");
    expect(url.basePath).toBe("/base");
  });
});
