import { decodeSegments, normalizeRequestPath } from "../../src/router/request-path";

describe("normalizeRequestPath", () => {
  it.each([
    ["/api", "/api"],
    ["/api?x=1", "/api"],
    ["/api/hello", "/api/hello"],
    ["/api/hello?x=1&y=/a//b/", "/api/hello"],
    ["/api/users/a%2Fb/c", "/api/users/a%2Fb/c"],
    ["/api/hello.json", "/api/hello.json"],
    ["/api/%", "/api/%"],
    ["/api/query/echo#frag", "/api/query/echo"],
    ["/api/hello#a?b", "/api/hello"],
  ])("keeps %s under the prefix as %s", (url, pathname) => {
    expect(normalizeRequestPath(url, "/api")).toEqual({ kind: "inside", pathname });
  });

  it.each([
    ["/api/users/", "/api/users"],
    ["/api/", "/api"],
    ["/api/users/1/?a=1", "/api/users/1?a=1"],
    ["/api/users/?a=1&b=/x/", "/api/users?a=1&b=/x/"],
    ["/api//hello?x=1", "/api/hello?x=1"],
    ["/api\\hello", "/api/hello"],
    ["/api\\\\hello\\", "/api/hello"],
    ["//api/hello", "/api/hello"],
    ["/api///a//b/", "/api/a/b"],
    ["/api//", "/api"],
    ["/api/a%2F/", "/api/a%2F"],
  ])("redirects %s to %s, query kept", (url, location) => {
    expect(normalizeRequestPath(url, "/api")).toEqual({ kind: "redirect", location });
  });

  it.each([
    "/",
    "/healthz",
    "/apiary",
    "/api-docs/",
    "/API/hello",
    "/Api",
    "/api%2Fhello",
    "/other//path",
    "/other/",
    "*",
    "",
  ])("leaves %j to the rest of the app", (url) => {
    expect(normalizeRequestPath(url, "/api")).toEqual({ kind: "outside" });
  });

  it("reads the prefix it is given", () => {
    expect(normalizeRequestPath("/v2/users", "/v2")).toEqual({
      kind: "inside",
      pathname: "/v2/users",
    });
    expect(normalizeRequestPath("/v2/users/", "/v2")).toEqual({
      kind: "redirect",
      location: "/v2/users",
    });
    expect(normalizeRequestPath("/api/users", "/v2")).toEqual({ kind: "outside" });
  });
});

describe("decodeSegments", () => {
  it.each<[string, string[]]>([
    ["/api", []],
    ["/api/hello", ["hello"]],
    ["/api/a/b/c", ["a", "b", "c"]],
    ["/api/a%2Fb/c", ["a/b", "c"]],
    ["/api/a%2fb", ["a/b"]],
    ["/api/a+b", ["a+b"]],
    ["/api/a%2Bb", ["a+b"]],
    ["/api/%20x", [" x"]],
    ["/api/caf%C3%A9", ["café"]],
    ["/api/v1/post/:42", ["v1", "post", ":42"]],
    ["/api/%25", ["%"]],
    ["/api/%3F%23", ["?#"]],
    ["/api/%2E%2E", [".."]],
    ["/api/hello.json", ["hello.json"]],
    ["/api/$city", ["$city"]],
  ])("decodes %s segment by segment to %j", (pathname, segments) => {
    expect(decodeSegments(pathname, "/api")).toEqual(segments);
  });

  it.each([
    "/api/%",
    "/api/%E0%A4%A",
    "/api/ok/%zz",
    "/api/%C3",
    "/api/a/%FF",
    "/api/.",
    "/api/..",
    "/api/a/../b",
  ])("refuses %s (malformed encoding or a dot segment)", (pathname) => {
    expect(decodeSegments(pathname, "/api")).toBeUndefined();
  });

  it("reads the segments after the prefix it is given", () => {
    expect(decodeSegments("/v2/a%20b", "/v2")).toEqual(["a b"]);
  });
});
