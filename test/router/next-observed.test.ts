import http from "node:http";
import type { AddressInfo } from "node:net";
import observed from "./next-observed.json";
import { startHostileServer, type HostileServer } from "../hostile/support";

// The request-layer cases sent to the real server process and compared with what a real
// `next start` answered to the same fixture (test/router/next-observed.json, written by
// scripts/observe-next.js: the Next version is in the file). Hosts and ports are replaced by
// names in both. Where nextpress differs on purpose, DIFFERENCES says what it answers and why
// (docs/next-compatibility.md lists the same).

interface Case {
  id: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  pick: { headers?: string[]; json?: string[]; text?: boolean };
  observed: Seen;
}
interface Seen {
  status: number;
  headers?: Record<string, string | null>;
  json?: Record<string, unknown>;
  text?: string;
}

/** `fixture/case`: what nextpress answers instead of Next, and why. */
const DIFFERENCES: Record<string, { why: string; ours: Partial<Seen> }> = {
  "next-config-base/route-handler-base-path": {
    why: "a route handler's request.url keeps the basePath and nextUrl.basePath is it, as in the proxy (Next 16.5 drops both: vercel/next.js#62756)",
    ours: {
      json: {
        file: "app/api/web/route.ts",
        url: "http://HOST/base/api/web/",
        pathname: "/api/web/",
        basePath: "/base",
      },
    },
  },
};

const cases = observed.fixtures as unknown as Record<string, Case[]>;

let upstream: http.Server;
let upstreamUrl: string;

beforeAll(async () => {
  // As scripts/observe-next.js's: it says which X-Forwarded-* headers it received.
  upstream = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const forwarded = Object.fromEntries(
        Object.entries(req.headers).filter(([name]) => name.startsWith("x-forwarded-")),
      );
      res.setHeader("x-upstream", "yes");
      res.setHeader("x-saw-forwarded", JSON.stringify(forwarded));
      res.setHeader("content-type", "text/plain");
      res.end(`upstream saw ${req.method} ${req.url} ${body}`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve));
});

function normalize(value: unknown, ports: [number, string][]): unknown {
  if (typeof value === "string") {
    let text = value;
    for (const [port, name] of ports) {
      text = text.replace(new RegExp(`(localhost|127\\.0\\.0\\.1|\\[::1\\]):${port}`, "g"), name);
      text = text.replaceAll(String(port), `${name}_PORT`);
    }
    return text.replace(/::ffff:127\.0\.0\.1|127\.0\.0\.1|::1/g, "LOOPBACK");
  }
  if (Array.isArray(value)) return value.map((item) => normalize(item, ports));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, normalize(item, ports)]),
    );
  return value;
}

function dig(value: unknown, dotted: string): unknown {
  let at = value;
  for (const key of dotted.split(".")) {
    if (!at || typeof at !== "object") return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

async function answer(server: HostileServer, spec: Case): Promise<Seen> {
  const headers = Object.fromEntries(
    Object.entries(spec.headers ?? {}).map(([k, v]) => [k, v === "UPSTREAM" ? upstreamUrl : v]),
  );
  const res = await fetch(server.url(spec.path), {
    method: spec.method ?? "GET",
    headers,
    body: spec.body,
    redirect: "manual",
  });
  const text = await res.text();
  const seen: Seen = { status: res.status };
  if (spec.pick.headers)
    seen.headers = Object.fromEntries(
      spec.pick.headers.map((name) => [name, res.headers.get(name)]),
    );
  if (spec.pick.json) {
    const body = JSON.parse(text) as unknown;
    seen.json = Object.fromEntries(spec.pick.json.map((key) => [key, dig(body, key) ?? null]));
  }
  if (spec.pick.text) seen.text = text;
  const upstreamPort = Number(new URL(upstreamUrl).port);
  return normalize(seen, [
    [server.port, "HOST"],
    [upstreamPort, "UPSTREAM"],
  ]) as Seen;
}

describe.each(Object.keys(cases))(`%s as next@${observed.next} answers it`, (fixtureName) => {
  let server: HostileServer;

  beforeAll(async () => {
    server = await startHostileServer(`${fixtureName}/routes`, { LOG_LEVEL: "info" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it.each(cases[fixtureName].map((spec) => [spec.id, spec] as const))("%s", async (id, spec) => {
    const difference = DIFFERENCES[`${fixtureName}/${id}`];
    const expected = difference ? { ...spec.observed, ...difference.ours } : spec.observed;
    expect(await answer(server, spec)).toEqual(expected);
  });
});
