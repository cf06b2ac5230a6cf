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
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
}

const COMPOSE_FILES = ["compose.yaml", "compose.replicas.yaml", "compose.postgres.yaml"];
/** `${POSTGRES_PASSWORD:?message}`: compose refuses to start without the variable set. */
const REQUIRED_PASSWORD = /\$\{POSTGRES_PASSWORD:\?[^}]+\}/;

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
      environment.DATABASE_URL.replace(REQUIRED_PASSWORD, "s3cret");
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

  it("have no default database password: every file requires POSTGRES_PASSWORD", () => {
    for (const file of COMPOSE_FILES) {
      const text = readFileSync(path.join(PROJECT_ROOT, file), "utf8");
      const uses = text.match(/\$\{POSTGRES_PASSWORD[^}]*\}/g) ?? [];
      expect({
        file,
        defaults: uses.filter((use) => !/^\$\{POSTGRES_PASSWORD:\?[^}]+\}$/.test(use)),
      }).toEqual({
        file,
        defaults: [],
      });
    }
    expect(services("compose.postgres.yaml").postgres.environment?.POSTGRES_PASSWORD).toMatch(
      REQUIRED_PASSWORD,
    );
  });

  it("run the api read-only, without capabilities or new privileges, with a tmpfs at /tmp", () => {
    for (const api of [single.api, merged]) {
      expect(api.read_only).toBe(true);
      expect(api.tmpfs).toEqual(["/tmp"]);
      expect(api.cap_drop).toEqual(["ALL"]);
      expect(api.security_opt).toEqual(["no-new-privileges:true"]);
    }
  });
});
