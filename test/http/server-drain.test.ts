import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { stopAccepting } from "../../src/http/server-drain";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes a GET on an open connection and gives the raw answer (status line and headers). */
function ask(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (!text.includes("\r\n\r\nok")) return;
      socket.off("data", onData);
      resolve(text);
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("close", () =>
      reject(new Error(`closed without an answer; read ${JSON.stringify(text)}`)),
    );
    socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  });
}

async function connect(port: number): Promise<net.Socket> {
  const socket = net.connect(port, "127.0.0.1");
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return socket;
}

describe("stopAccepting (a server's drain)", () => {
  let server: http.Server;
  let port: number;
  const sockets: net.Socket[] = [];
  beforeEach(async () => {
    server = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers a request that arrives on an idle keep-alive connection after the listener closed, with Connection: close", async () => {
    const socket = await connect(port);
    sockets.push(socket);
    expect(await ask(socket)).toMatch(/Connection: keep-alive/i);
    const closed = stopAccepting(server);
    // A proxy reusing its connection while the listener closes: Node's server.close() would have closed it.
    await sleep(100);
    const answer = await ask(socket);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/Connection: close/i);
    await closed;
  });

  it("answers a connection accepted just before the listener closed, with Connection: close", async () => {
    const socket = await connect(port);
    sockets.push(socket);
    const closed = stopAccepting(server);
    await sleep(100);
    expect(await ask(socket)).toMatch(/^HTTP\/1\.1 200[^]*Connection: close/i);
    await closed;
  });

  it("refuses new connections once closed, and closes a keep-alive connection left idle only after the grace", async () => {
    const socket = await connect(port);
    sockets.push(socket);
    await ask(socket);
    const started = Date.now();
    const closed = stopAccepting(server);
    await sleep(50);
    await expect(connect(port)).rejects.toThrow(/ECONNREFUSED/);
    const socketClosed = new Promise((resolve) => socket.once("close", resolve));
    socket.resume();
    await closed;
    await socketClosed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
