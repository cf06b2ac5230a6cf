import { lazyJsonOf } from "../../src/web/lazy-response";
import { runWithWebRequestStore, type WebRequestStore } from "../../src/web/request-store";
import { installLazyResponseJson } from "../../src/web/response-json";

// Only whether a request scope is open matters to Response.json: no request is read.
const inRoute = <T>(fn: () => T): T => runWithWebRequestStore({} as WebRequestStore, fn);

beforeAll(() => installLazyResponseJson());

describe("Response.json() inside a Web route", () => {
  it("is lazy there, and Node's own outside a request scope", () => {
    expect(lazyJsonOf(inRoute(() => Response.json({ a: 1 })))).toMatchObject({
      status: 200,
      text: '{"a":1}',
    });
    const outside = Response.json({ a: 1 });
    expect(lazyJsonOf(outside)).toBeUndefined();
    expect(Object.getPrototypeOf(outside)).toBe(Response.prototype);
  });

  it("is a Response to instanceof, constructor and toString, with Response.json's status, headers and body", async () => {
    const response = inRoute(() => Response.json({ a: [1, "two"] }, { status: 201 }));
    expect(response).toBeInstanceOf(Response);
    expect(response.constructor).toBe(Response);
    expect(Object.prototype.toString.call(response)).toBe("[object Response]");
    expect([
      response.status,
      response.ok,
      response.statusText,
      response.type,
      response.redirected,
    ]).toEqual([201, true, "", "default", false]);
    expect([...response.headers]).toEqual([["content-type", "application/json"]]);
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ a: [1, "two"] });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it("clones, and streams its body, as a Response does", async () => {
    const response = inRoute(() => Response.json({ b: true }));
    const clone = response.clone();
    expect(Object.getPrototypeOf(clone)).toBe(Response.prototype);
    expect(await clone.text()).toBe('{"b":true}');
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body as ReadableStream<Uint8Array>) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('{"b":true}');
    expect(response.bodyUsed).toBe(true);
    // Read through its stream, it cannot be read or cloned again, as a Response.
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(() => response.clone()).toThrow(TypeError);
  });

  it("refuses what Node's refuses, with the same kind of error", () => {
    // By name: Node's errors come from another realm than this test's (jest's sandbox).
    const errorName = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return (error as Error).name;
      }
      return "no error";
    };
    for (const make of [
      () => Response.json({}, { status: 100 }),
      () => Response.json({}, { status: 204 }),
      () => Response.json(undefined),
      () => Response.json({ n: 1n }),
    ]) {
      const native = errorName(make);
      expect(native).toMatch(/^(Range|Type)Error$/);
      expect(errorName(() => inRoute(make))).toBe(native);
    }
  });

  it("leaves to Node's what it does not cover: headers or a statusText in init, a status to convert, a subclass", () => {
    inRoute(() => {
      expect(lazyJsonOf(Response.json({}, { headers: { "x-a": "1" } }))).toBeUndefined();
      expect(lazyJsonOf(Response.json({}, { statusText: "Fine" }))).toBeUndefined();
      const converted = Response.json({}, { status: "201" as unknown as number });
      expect([lazyJsonOf(converted), converted.status]).toEqual([undefined, 201]);
      class Mine extends Response {}
      expect(lazyJsonOf(Mine.json({}))).toBeUndefined();
    });
  });

  it("installs once: a second call keeps the first patch", () => {
    const patched = Response.json;
    installLazyResponseJson();
    expect(Response.json).toBe(patched);
  });
});
