import { readFileSync } from "node:fs";
import path from "node:path";
import { freePort, startDeployedNginx, type Nginx } from "../helpers/nginx";
import { PROJECT_ROOT } from "../helpers/process";

describe("deploy/nginx.conf", () => {
  let nginx: Nginx | undefined;
  afterAll(() => nginx?.stop());

  it("turns server_tokens off in its http block", () => {
    const text = readFileSync(path.join(PROJECT_ROOT, "deploy", "nginx.conf"), "utf8");
    expect(text).toMatch(/^http \{\n(?:\s*#.*\n)*\s*server_tokens off;$/m);
  });

  it("names no nginx version in the Server header or on its own error pages", async () => {
    // Nothing listens upstream: nginx answers 502 itself.
    nginx = await startDeployedNginx([await freePort()]);
    const res = await fetch(`http://127.0.0.1:${nginx.port}/api/hello`);
    const body = await res.text();
    expect(res.status).toBe(502);
    expect(res.headers.get("server")).toBe("nginx");
    expect(body).toContain("nginx");
    expect(body).not.toMatch(/nginx\/\d/);
  });
});
