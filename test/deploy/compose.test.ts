import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { readDatabaseSettings, SAMPLE_VARIABLES } from "../../routes/_lib/settings";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config";
import { PROJECT_ROOT } from "../helpers/process";

interface Service {
  image?: string;
  extends?: { file: string; service: string };
  environment?: Record<string, string>;
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  volumes?: string[];
}

function services(file: string): Record<string, Service> {
  return (
    parse(readFileSync(path.join(PROJECT_ROOT, file), "utf8")) as {
      services: Record<string, Service>;
    }
  ).services;
}

const single = services("compose.yaml");
const replicas = services("compose.replicas.yaml");
/** What `docker compose -f compose.yaml -f compose.replicas.yaml` runs: the override's keys over the base's, environments merged. */
const merged: Service = {
  ...single.api,
  ...replicas.api,
  environment: { ...single.api.environment, ...replicas.api.environment },
};

describe("compose files", () => {
  it("set only variables the server's config schema (or the sample's database settings) reads, with values it accepts", () => {
    for (const api of [single.api, merged]) {
      expect(
        Object.keys(api.environment ?? {}).filter(
          (name) => !CONFIG_VARIABLES.includes(name) && !SAMPLE_VARIABLES.includes(name),
        ),
      ).toEqual([]);
      expect(() => loadConfig({ ...api.environment, API_TOKENS_FILE: "" })).not.toThrow();
    }
  });

  it("run one replica by default and three with compose.replicas.yaml, behind the same nginx configuration", () => {
    expect(single.api.deploy?.replicas).toBeUndefined();
    expect(merged.deploy?.replicas).toBe(3);
    expect(Object.keys(replicas)).toEqual(["api", "redis", "postgres"]);
    expect(single.proxy.volumes).toEqual(["./deploy/nginx.conf:/etc/nginx/nginx.conf:ro"]);
  });

  it("count the replicas' rate limits in the redis service they start", () => {
    const config = loadConfig({ ...merged.environment, API_TOKENS_FILE: "" });
    expect(config.rateLimit).toBeDefined();
    expect(new URL(config.redisUrl ?? "").hostname).toBe("redis");
    expect(replicas.redis.image).toMatch(/^redis:/);
    expect(single.api.environment?.REDIS_URL).toBeUndefined();
  });

  it("keep one replica's users in the embedded engine's volume, and three replicas' in the one PostgreSQL they share", () => {
    expect(single.api.volumes).toContain("api-data:/app/data");
    expect(readDatabaseSettings({ ...single.api.environment }).engine).toBe("sqlite");
    const postgres = services("compose.postgres.yaml");
    expect(replicas.postgres.extends).toEqual({
      file: "compose.postgres.yaml",
      service: "postgres",
    });
    expect(postgres.postgres.image).toMatch(/^postgres:/);
    const url = (environment: Record<string, string> = {}) =>
      environment.DATABASE_URL.replace("${POSTGRES_PASSWORD:-nextpress}", "nextpress");
    expect(readDatabaseSettings({ DATABASE_URL: url(merged.environment) })).toEqual({
      engine: "postgres",
      url: url(postgres.api.environment),
    });
  });

  it("give each replica longer to stop than its delay and drain take", () => {
    const config = loadConfig({ ...merged.environment, API_TOKENS_FILE: "" });
    const graceMs = Number(/^(\d+)s$/.exec(merged.stop_grace_period ?? "")?.[1]) * 1000;
    expect(config.shutdownDelayMs).toBeGreaterThan(0);
    expect(graceMs).toBeGreaterThan(config.shutdownDelayMs + config.server.shutdownTimeoutMs);
  });

  it("use an nginx that has the upstream `resolve` deploy/nginx.conf needs (1.27.3+)", () => {
    expect(readFileSync(path.join(PROJECT_ROOT, "deploy", "nginx.conf"), "utf8")).toMatch(
      /server api:3000 resolve/,
    );
    const [major, minor] = (/^nginx:(\d+)\.(\d+)/.exec(single.proxy.image ?? "") ?? [])
      .slice(1)
      .map(Number);
    expect(major * 1000 + minor).toBeGreaterThanOrEqual(1028);
  });
});
