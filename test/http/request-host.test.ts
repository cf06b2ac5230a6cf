import { isValidHost } from "../../src/http/request-host";
import { buildTestApp, type TestApp } from "../helpers/app";
import { listen } from "../helpers/raw-http";
import { exchange } from "../hostile/support";

// The values an attacker tried (issue 18): each would change the URL a handler sees, or throw in `new URL`.
const ATTACKS = [
  "x#",
  "x?shout=0&",
  "x/api/admin?",
  "a b",
  "%",
  "[::1",
  "localhost:abc",
  "<x>",
  "a%2Fb",
  "x@evil.example",
  "example.com:99999",
  "",
];

describe("isValidHost: uri-host [':' port] (RFC 9112 §3.2, RFC 3986 §3.2.2)", () => {
  it.each(ATTACKS)("refuses %j", (value) => expect(isValidHost(value)).toBe(false));
  it.each(["localhost", "localhost:3000", "[::1]:3000", "127.0.0.1", "API.Example.com", "x:"])(
    "accepts %j",
    (value) => expect(isValidHost(value)).toBe(true),
  );
});

describe("Host and X-Forwarded-Host over real HTTP", () => {
  const servers: { close: () => Promise<void> }[] = [];
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const built = await buildTestApp("host-header/routes", env);
    apps.push(built);
    const server = await listen(built.app);
    servers.push(server);
    return { ...built, port: server.port };
  };
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all(apps.map((built) => built.close()));
  });

  /** One GET with the header lines as written (clients would normalise Host). */
  const get = async (port: number, path: string, lines: string) => {
    const { responses } = await exchange(port, `GET ${path} HTTP/1.1\r\n${lines}\r\n`, {
      responses: 1,
    });
    const [res] = responses;
    if (!res) throw new Error(`no answer to ${path}`);
    return { status: res.status, body: JSON.parse(res.body || "null") as Record<string, unknown> };
  };

  const PATHS = ["/api/page?a=1", "/api/edge?a=1", "/url?a=1"];

  it.each(ATTACKS)(
    "answers Host: %j with 400 on pages, edge and app routes, logging no error",
    async (value) => {
      const { port, logs } = await start();
      for (const path of PATHS) {
        const res = await get(port, path, `Host: ${value}\r\n`);
        expect({ path, ...res }).toEqual({
          path,
          status: 400,
          body: { message: "Invalid Host header" },
        });
      }
      expect(logs.lines.filter((line) => Number(line.level) >= 50)).toEqual([]);
    },
  );

  it("answers two Host lines with 400 however the second is spelt, and only those", async () => {
    const { port } = await start();
    for (const name of ["Host", "host", "HOST", "hOsT"]) {
      const res = await get(port, "/url", `Host: a.example\r\n${name}: b.example\r\n`);
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
    }
    // Names that only look like Host are other headers.
    const other = await get(port, "/url", "Host: a.example\r\nHosp: b\r\nHHost: c\r\nH0st: d\r\n");
    expect(other.status).toBe(200);
  });

  it("builds request.url from a valid Host by parts: path and query stay the request's own", async () => {
    const { port } = await start();
    for (const [path, file] of [
      ["/api/edge?a=1", "edge.ts"],
      ["/url?a=1", "app/url/route.ts"],
    ]) {
      const res = await get(port, path, "Host: API.Example.com:8080\r\n");
      const at = path.indexOf("?");
      expect(res).toEqual({
        status: 200,
        body: {
          file,
          url: `http://api.example.com:8080${path}`,
          pathname: path.slice(0, at),
          search: "?a=1",
        },
      });
    }
    expect((await get(port, "/url", "Host: [::1]:3000\r\n")).body.url).toBe(
      "http://[::1]:3000/url",
    );
  });

  it("checks X-Forwarded-Host only when TRUST_PROXY trusts the peer: refused then, ignored otherwise", async () => {
    const trusting = await start({ TRUST_PROXY: "loopback" });
    const ignoring = await start();
    for (const value of ["x/api/admin?", "x?shout=0&", "x#", "a b"]) {
      const lines = `Host: localhost\r\nX-Forwarded-Host: ${value}\r\n`;
      for (const path of PATHS) {
        expect((await get(trusting.port, path, lines)).status).toBe(400);
        expect((await get(ignoring.port, path, lines)).status).toBe(200);
      }
    }
    const res = await get(
      trusting.port,
      "/url?a=1",
      "Host: localhost\r\nX-Forwarded-Host: api.example\r\n",
    );
    expect(res.body).toMatchObject({ url: "http://api.example/url?a=1", pathname: "/url" });
  });
});
