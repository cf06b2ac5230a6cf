import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./nginx";
import { trackProcess } from "./process";
import { requireSystemPackage } from "./system-packages";

const BINARY = "/usr/bin/redis-server";

export interface RedisServer {
  port: number;
  url: string;
  /** What it printed so far. */
  output: () => string;
  /** SIGTERM, then its exit; its temp folder is removed. */
  stop: () => Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/**
 * A real redis-server from Debian on a loopback port (a free one unless `port` is given, to
 * start it again where it was), its files in a temp folder, persistence off. Stopped with its
 * test file whatever happens (see helpers/process.ts).
 */
export async function startRedis(port?: number): Promise<RedisServer> {
  requireSystemPackage("redis-server");
  const listenPort = port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), "nextpress-redis-"));
  const child = spawn(
    BINARY,
    [
      "--port",
      String(listenPort),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const { exited } = trackProcess(child);
  for (let i = 0; i < 200 && !(await accepts(listenPort)); i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    port: listenPort,
    url: `redis://127.0.0.1:${listenPort}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
