import path from "node:path";
import { loadConfig, trustsWholeChain } from "../../src/config";
import { buildTestApp, type TestApp } from "../helpers/app";
import { PROJECT_ROOT, spawnProcess, stopProcess } from "../helpers/process";

const WHOLE_CHAIN =
  "TRUST_PROXY trusts the whole X-Forwarded-For chain: any client can choose req.ip and so reset rate limits and the failed-token brake; set your proxy's address range (10.0.0.0/8) or hop count (1) instead";

describe("TRUST_PROXY=true in production", () => {
  it("is refused with NODE_ENV=production, naming the fix, unless TRUST_PROXY_CONFIRMED=true", () => {
    expect(() => loadConfig({ TRUST_PROXY: "true", NODE_ENV: "production" })).toThrow(
      /TRUST_PROXY="true": true believes the left-most X-Forwarded-For entry, which any client chooses[\s\S]*address range \(10\.0\.0\.0\/8\) or its hop count \(1\)[\s\S]*TRUST_PROXY_CONFIRMED=true/,
    );
    expect(
      loadConfig({ TRUST_PROXY: "true", NODE_ENV: "production", TRUST_PROXY_CONFIRMED: "true" })
        .trustProxy,
    ).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "1", NODE_ENV: "production" }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
  });

  it("stops the real server at start-up with that message and exit code 1", async () => {
    const spawned = spawnProcess("node", [path.join(PROJECT_ROOT, "dist", "src", "main.js")], {
      PORT: "0",
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      TRUST_PROXY: "true",
    });
    try {
      expect(await spawned.exited).toBe(1);
      expect(spawned.stdout() + spawned.stderr()).toMatch(
        /TRUST_PROXY="true": true believes the left-most X-Forwarded-For entry[\s\S]*TRUST_PROXY_CONFIRMED=true/,
      );
    } finally {
      await stopProcess(spawned);
    }
  });
});

describe("a TRUST_PROXY that trusts a whole chain", () => {
  it.each([
    [true, true],
    [["0.0.0.0/1", "128.0.0.0/1"], true],
    [["::/1", "8000::/1"], true],
    [1, false],
    [2, false],
    [false, false],
    [["10.0.0.0/8"], false],
    [["loopback", "uniquelocal"], false],
    [["0.0.0.0/1"], false],
  ])("%j → %j", (trust, whole) => expect(trustsWholeChain(trust)).toBe(whole));

  const apps: TestApp[] = [];
  afterAll(() => Promise.all(apps.map((built) => built.close())));

  it("is warned about at start-up; a hop count or a range is not", async () => {
    for (const [value, warned] of [
      ["true", true],
      ["0.0.0.0/1,128.0.0.0/1", true],
      ["1", false],
      ["10.0.0.0/8", false],
    ] as const) {
      const built = await buildTestApp("production", { TRUST_PROXY: value });
      apps.push(built);
      const warnings = built.logs.lines.filter((line) => line.msg === WHOLE_CHAIN);
      expect({ value, warned: warnings.length === 1 }).toEqual({ value, warned });
    }
  });
});
