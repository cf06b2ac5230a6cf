import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { NextResponse } from "../../src/web/next-response";
import { writeWebResponse, type WriteOptions } from "../../src/web/write-response";

/** `afterClientLeft`: the response is written only once its client has gone (a handler that was still awaiting). */
async function serve(
  make: () => Response,
  options: Partial<WriteOptions> = {},
  { afterClientLeft = false } = {},
) {
  const errors: unknown[] = [];
  const server = http.createServer((req, res) => {
    const write = () =>
      writeWebResponse(make(), res, { head: req.method === "HEAD", ...options }).catch(
        (error: unknown) => {
          errors.push(error);
          res.statusCode = 500;
          res.end();
        },
      );
    if (afterClientLeft) res.once("close", () => setTimeout(() => void write(), 20));
    else void write();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    errors,
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("writeWebResponse", () => {
  it("writes status, status text, headers and every Set-Cookie on its own line", async () => {
    const s = await serve(
      () => {
        const headers = new Headers({ "x-a": "1" });
        headers.append("set-cookie", "a=1");
        headers.append("set-cookie", "b=2");
        return new Response("body", { status: 418, statusText: "Short and Stout", headers });
      },
      { cookies: ["c=3"] },
    );
    try {
      const res = await fetch(s.url);
      expect([res.status, res.statusText, res.headers.get("x-a"), await res.text()]).toEqual([
        418,
        "Short and Stout",
        "1",
        "body",
      ]);
      expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2", "c=3"]);
    } finally {
      await s.close();
    }
  });

  it("sends a known body at once with its Content-Length, and HEAD without it", async () => {
    const s = await serve(() => NextResponse.json({ hello: "world" }));
    try {
      const get = await fetch(s.url);
      expect(get.headers.get("content-length")).toBe(
        String(JSON.stringify({ hello: "world" }).length),
      );
      expect(await get.json()).toEqual({ hello: "world" });
      const head = await fetch(s.url, { method: "HEAD" });
      expect(head.headers.get("content-length")).toBe(get.headers.get("content-length"));
      expect(await head.text()).toBe("");
    } finally {
      await s.close();
    }
  });

  it("streams with backpressure: a client that reads nothing stops the producer, it does not fill memory", async () => {
    let produced = 0;
    const chunk = new Uint8Array(64 * 1024);
    const s = await serve(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              produced += chunk.byteLength;
              controller.enqueue(chunk);
              if (produced >= 200 * 1024 * 1024) controller.close();
            },
          }),
        ),
    );
    const socket = net.connect(s.port, "127.0.0.1");
    try {
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Socket buffers on both sides hold a few MB at most; far from the 200 MB the stream could make.
      expect(produced).toBeLessThan(32 * 1024 * 1024);
    } finally {
      socket.destroy();
      await s.close();
    }
  });

  it("cancels the stream when the client goes away", async () => {
    let cancelled: unknown = "no";
    const s = await serve(
      () =>
        new Response(
          new ReadableStream({
            pull: (controller) =>
              new Promise<void>((resolve) =>
                setTimeout(() => {
                  if (cancelled === "no") controller.enqueue(new Uint8Array(10));
                  resolve();
                }, 20),
              ),
            cancel: (reason) =>
              void (cancelled = reason === undefined ? "cancelled" : "cancelled with a reason"),
          }),
        ),
    );
    try {
      const controller = new AbortController();
      const res = await fetch(s.url, { signal: controller.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      for (let i = 0; i < 40 && cancelled === "no"; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(cancelled).not.toBe("no");
    } finally {
      await s.close();
    }
  });

  it("cancels the stream at once when the client left before the handler returned it", async () => {
    let cancelled = false;
    let pulls = 0;
    const s = await serve(
      () =>
        new Response(
          new ReadableStream({
            pull: (controller) =>
              new Promise<void>((resolve) =>
                setTimeout(() => {
                  pulls++;
                  if (!cancelled) controller.enqueue(new Uint8Array(10));
                  resolve();
                }, 10),
              ),
            cancel: () => void (cancelled = true),
          }),
        ),
      {},
      { afterClientLeft: true },
    );
    try {
      const socket = net.connect(s.port, "127.0.0.1");
      socket.on("error", () => undefined);
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      setTimeout(() => socket.destroy(), 50);
      for (let i = 0; i < 60 && !cancelled; i++)
        await new Promise((resolve) => setTimeout(resolve, 25));
      expect(cancelled).toBe(true);
      // Nothing keeps pulling from a stream nobody will read.
      const after = pulls;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(pulls).toBeLessThanOrEqual(after + 1);
      expect(s.errors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("rejects when the stream fails before its first chunk (a 500 can still be sent), and cuts the connection after", async () => {
    const early = await serve(
      () =>
        new Response(
          new ReadableStream({ pull: (controller) => controller.error(new Error("no data")) }),
        ),
    );
    try {
      expect((await fetch(early.url)).status).toBe(500);
      expect(early.errors).toHaveLength(1);
    } finally {
      await early.close();
    }
    let sent = 0;
    const late = await serve(
      () =>
        new Response(
          new ReadableStream({
            async pull(controller) {
              if (sent++ === 0) return controller.enqueue(new TextEncoder().encode("partial"));
              await new Promise((resolve) => setTimeout(resolve, 100));
              controller.error(new Error("mid-stream"));
            },
          }),
        ),
    );
    try {
      const res = await fetch(late.url);
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    } finally {
      await late.close();
    }
  });
});

describe("writeWebResponse with a lazy NextResponse.json", () => {
  it("writes the status, the headers a handler changed after making it, its cookies and the JSON, in one write", async () => {
    const s = await serve(
      () => {
        const res = NextResponse.json({ lazy: true }, { status: 201 });
        res.headers.set("x-late", "yes");
        res.cookies.set("c", "1");
        return res;
      },
      { cookies: ["from-cookies=2"] },
    );
    try {
      const res = await fetch(s.url);
      expect(res.status).toBe(201);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(res.headers.get("x-late")).toBe("yes");
      expect(res.headers.get("content-length")).toBe(String('{"lazy":true}'.length));
      expect(res.headers.getSetCookie()).toEqual(["c=1; Path=/", "from-cookies=2"]);
      expect(await res.json()).toEqual({ lazy: true });
      const head = await fetch(s.url, { method: "HEAD" });
      expect(head.headers.get("content-length")).toBe(String('{"lazy":true}'.length));
    } finally {
      await s.close();
    }
  });

  it("refuses a body the handler already read (a 500, as undici would)", async () => {
    const s = await serve(() => {
      const res = NextResponse.json({ read: true });
      void res.text();
      return res;
    });
    try {
      expect((await fetch(s.url)).status).toBe(500);
      expect(String(s.errors[0])).toMatch(/already been read/);
    } finally {
      await s.close();
    }
  });
});
