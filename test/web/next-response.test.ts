import { NextResponse } from "../../src/web/next-response";
import { readInterrupt, notFound, permanentRedirect, redirect } from "../../src/web/navigation";
import { readUpgrade, type WebSocketHooks } from "../../src/web/websocket-types";

describe("NextResponse", () => {
  it("json(): exactly application/json, status and headers kept", async () => {
    const res = NextResponse.json({ a: 1 }, { status: 201, headers: { "x-a": "1" } });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-a")).toBe("1");
    expect(await res.json()).toEqual({ a: 1 });
  });

  it("redirect(): 307 by default, only redirect statuses, an absolute URL", () => {
    expect(NextResponse.redirect("https://nextjs.org/").status).toBe(307);
    expect(
      NextResponse.redirect(new URL("https://nextjs.org/x"), 308).headers.get("location"),
    ).toBe("https://nextjs.org/x");
    expect(() => NextResponse.redirect("https://nextjs.org/", 200)).toThrow(RangeError);
    expect(() => NextResponse.redirect("/relative")).toThrow(/URL is malformed "\/relative"/);
  });

  it("cookies: set and delete become Set-Cookie lines on the response", () => {
    const res = NextResponse.json({});
    res.cookies.set("a", "1", { httpOnly: true });
    res.cookies.delete("b");
    expect(res.headers.getSetCookie()).toEqual([
      "a=1; Path=/; HttpOnly",
      "b=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    ]);
  });

  it("next() and rewrite() carry Next's middleware markers (a route handler that returns them fails)", () => {
    expect(NextResponse.next().headers.get("x-middleware-next")).toBe("1");
    expect(NextResponse.rewrite("https://example.test/x").headers.get("x-middleware-rewrite")).toBe(
      "https://example.test/x",
    );
  });
});

describe("next/navigation interrupts", () => {
  const caught = (fn: () => never) => {
    try {
      fn();
    } catch (error) {
      return readInterrupt(error);
    }
    return undefined;
  };

  it("carry Next's digests, read back as what the runner answers", () => {
    expect(caught(() => redirect("/a;b"))).toEqual({
      kind: "redirect",
      status: 307,
      location: "/a;b",
    });
    expect(caught(() => permanentRedirect("https://x.test/"))).toEqual({
      kind: "redirect",
      status: 308,
      location: "https://x.test/",
    });
    expect(caught(() => notFound())).toEqual({ kind: "status", status: 404 });
  });

  it("recognise the digest the real next package throws, and nothing else", () => {
    expect(
      readInterrupt(
        Object.assign(new Error("NEXT_REDIRECT"), { digest: "NEXT_REDIRECT;push;/login;303;" }),
      ),
    ).toEqual({ kind: "redirect", status: 303, location: "/login" });
    expect(
      readInterrupt(Object.assign(new Error("x"), { digest: "NEXT_HTTP_ERROR_FALLBACK;418" })),
    ).toBeUndefined();
    expect(readInterrupt(new Error("plain"))).toBeUndefined();
  });
});

describe("NextResponse.json, built lazily", () => {
  it("is a Response in every way a handler can look at it", async () => {
    const res = NextResponse.json(
      { a: [1, 2] },
      { status: 202, statusText: "Queued", headers: { "x-a": "1" } },
    );
    expect(res).toBeInstanceOf(Response);
    expect(res).toBeInstanceOf(NextResponse);
    expect([
      res.status,
      res.statusText,
      res.ok,
      res.type,
      res.url,
      res.redirected,
      res.bodyUsed,
    ]).toEqual([202, "Queued", true, "default", "", false, false]);
    expect([...res.headers]).toEqual([
      ["content-type", "application/json"],
      ["x-a", "1"],
    ]);
    const copy = res.clone();
    expect(await copy.json()).toEqual({ a: [1, 2] });
    expect(await new Response(res.body).text()).toBe('{"a":[1,2]}');
    expect(res.bodyUsed).toBe(true);
  });

  it("refuses what Response.json refuses", () => {
    expect(() => NextResponse.json({}, { status: 99 })).toThrow(RangeError);
    expect(() => NextResponse.json({}, { status: 204 })).toThrow(TypeError);
    expect(() => NextResponse.json(undefined)).toThrow(TypeError);
  });

  it("reads its body once", async () => {
    const res = NextResponse.json({ once: true });
    expect(await res.text()).toBe('{"once":true}');
    await expect(res.json()).rejects.toThrow(/already been read/);
  });
});

describe("NextResponse.upgrade() (vercel/next.js#95574)", () => {
  it("marks a bodiless response with a frozen snapshot of the hooks; clones keep it", () => {
    const open = () => undefined;
    const hooks: WebSocketHooks = { open };
    const response = NextResponse.upgrade(hooks, { protocol: "chat.v1" });
    hooks.open = () => undefined;
    expect(response).toBeInstanceOf(NextResponse);
    expect(response.body).toBeNull();
    expect(readUpgrade(response)).toEqual({ hooks: { open }, protocol: "chat.v1" });
    expect(Object.isFrozen(readUpgrade(response)?.hooks)).toBe(true);
    response.headers.set("x-route", "original");
    const clone = response.clone();
    clone.headers.set("x-route", "clone");
    expect(readUpgrade(clone)).toBe(readUpgrade(response));
    expect(response.headers.get("x-route")).toBe("original");
  });

  it.each([
    [null, "requires a hooks object"],
    [[], "requires a hooks object"],
    [{ upgrade() {} }, 'does not support the "upgrade" hook'],
    [{ open: true }, 'hook "open" must be a function'],
  ])("refuses hooks %j with Next's message", (hooks, message) => {
    expect(() => NextResponse.upgrade(hooks as never)).toThrow(message);
  });

  it.each([
    [{ unknown: true }, 'does not support the "unknown" option'],
    [{ protocol: "chat,other" }, "must be a valid WebSocket subprotocol token"],
    [{ protocol: "" }, "must be a valid WebSocket subprotocol token"],
  ])("refuses options %j with Next's message", (options, message) => {
    expect(() => NextResponse.upgrade({}, options as never)).toThrow(message);
  });
});
