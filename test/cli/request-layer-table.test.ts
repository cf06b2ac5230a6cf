import path from "node:path";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess } from "../helpers/process";

const CLI = path.join(PROJECT_ROOT, "dist", "src", "cli.js");

async function routes(name: string) {
  const spawned = spawnProcess("node", [CLI, "routes"], {
    ROUTES_DIR: path.join(fixture(name), "routes"),
    LOG_LEVEL: "silent",
  });
  expect(await spawned.exited).toBe(0);
  return spawned.stdout();
}

describe("nextpress routes lists the request layer above the route table", () => {
  it("next.config's basePath, redirects and the middleware file with its matcher, in Next's order", async () => {
    const out = await routes("next-config-base");
    expect(out).toMatch(
      /^Request layer \(in this order\):\n {2}next\.config\.js: basePath \/base, trailingSlash true\n {2}redirect {3}\/old → \/api\/echo\/ \(308\)\n {2}redirect {3}\/outside → \/api\/echo\/ \(307\)\n {2}proxy {6}middleware\.ts {2}matcher: \/api\/:path\*\n\nROUTE/,
    );
  }, 60_000);

  it("a proxy's matcher entries with their conditions", async () => {
    const out = await routes("proxy-basic");
    expect(out).toContain(
      "  proxy      proxy.ts  matcher: /api/:path*, /app/:path*, /gated/:path*  [has header x-let-in]\n",
    );
  }, 60_000);

  it("nothing above the table for a project with neither file", async () => {
    expect(await routes("node-env")).toMatch(/^ROUTE/);
  }, 60_000);
});
