import http from "node:http";
import { Socket, type AddressInfo } from "node:net";
import { inFlightResponse, isLastResponse, presetHeaders } from "../../src/internals/node-http";

// node:http's socket._httpMessage: if Node changes it, this fails.
describe("node:http's internals", () => {
  it("gives the response a connection is answering, and none for a bare socket", async () => {
    const seen: boolean[] = [];
    const server = http.createServer((req, res) => {
      seen.push(inFlightResponse(req.socket) === res);
      seen.push(inFlightResponse(new Socket()) === undefined);
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe("ok");
      expect(seen).toEqual([true, true]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("tells a response that closes its connection from one that keeps it", async () => {
    const last: boolean[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === "/close") res.setHeader("connection", "close");
      res.end("ok", () => last.push(isLastResponse(res)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (await fetch(`http://127.0.0.1:${port}/keep`)).text();
      await (await fetch(`http://127.0.0.1:${port}/close`)).text();
      expect(last).toEqual([false, true]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  // res[kOutHeaders]: if Node changes the table, the preset headers differ from setHeader's here.
  it("presets headers exactly as setHeader sets them, also when the response already has some", async () => {
    const preset = [
      ["x-frame-options", "X-Frame-Options", "DENY"],
      ["x-content-type-options", "X-Content-Type-Options", "nosniff"],
      ["vary", "Vary", "Origin"],
    ] as const;
    const seen: unknown[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === "/after") res.setHeader("X-Frame-Options", "SAMEORIGIN");
      const setHeader = res.setHeader;
      let calls = 0;
      res.setHeader = (...args: Parameters<typeof setHeader>) => {
        calls++;
        return setHeader.apply(res, args);
      };
      presetHeaders(res, preset);
      res.setHeader = setHeader;
      // Straight into node:http's table on a fresh response; setHeader each after another header.
      seen.push(calls);
      seen.push(res.getHeaderNames(), res.getHeader("x-frame-options"), res.hasHeader("Vary"));
      res.appendHeader("vary", "Accept");
      res.removeHeader("x-content-type-options");
      res.setHeader("content-type", "text/plain");
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (const path of ["/", "/after"]) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(await res.text()).toBe("ok");
        expect(res.headers.get("x-frame-options")).toBe("DENY");
        expect(res.headers.get("vary")).toBe("Origin, Accept");
        expect(res.headers.has("x-content-type-options")).toBe(false);
      }
      expect(seen).toEqual([
        0,
        ["x-frame-options", "x-content-type-options", "vary"],
        "DENY",
        true,
        3,
        ["x-frame-options", "x-content-type-options", "vary"],
        "DENY",
        true,
      ]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
