import http from "node:http";
import { Socket, type AddressInfo } from "node:net";
import { inFlightResponse, isLastResponse } from "../../src/internals/node-http";

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
});
