import { loadConfig } from "../../src/config";
import { DEV_RESTARTS } from "../../src/restart-brake";
import type { WorkerMessage } from "../../src/dev/protocol";
import {
  initialState,
  LOADING_STOP_MS,
  step,
  STOP_TIMEOUT_MS,
  type ChildId,
  type Effect,
  type SupervisorEvent,
  type SupervisorState,
} from "../../src/dev/supervisor";

const config = loadConfig({ ROUTES_DIR: "routes", HOST: "127.0.0.1", SHUTDOWN_TIMEOUT_MS: "3000" });
const options = { config };

/** Drives the supervisor through events, keeping every effect; no process, no timer. */
class Driver {
  state: SupervisorState = initialState;
  effects: Effect[] = [];

  send(event: SupervisorEvent): Effect[] {
    const next = step(this.state, event, options);
    this.state = next.state;
    this.effects.push(...next.effects);
    return next.effects;
  }

  load(files: string[] = [], since = 0) {
    return this.send({ type: "load", since, files });
  }

  message(child: ChildId, message: WorkerMessage, now = 0) {
    return this.send({ type: "message", child, message, now });
  }

  ready(child: ChildId, now = 0, extra: Partial<Extract<WorkerMessage, { type: "ready" }>> = {}) {
    return this.message(child, { type: "ready", port: 3000, routes: 5, failed: [], ...extra }, now);
  }

  exit(child: ChildId, code: number | null, now = 0, signal: string | null = null) {
    return this.send({ type: "exit", child, code, signal, now });
  }

  role(child: ChildId) {
    return this.state.children.get(child)?.role;
  }
}

const types = (effects: Effect[]) => effects.map((e) => e.type);
const logs = (effects: Effect[]) =>
  effects.flatMap((e) => (e.type === "log" ? [`${e.level}: ${e.message}`] : []));

/** A supervisor serving with worker 1 and a warm spare 2 (both booted). */
function serving(): Driver {
  const d = new Driver();
  d.load();
  d.message(1, { type: "standby" });
  d.ready(1, 40);
  d.message(2, { type: "standby" });
  d.effects = [];
  return d;
}

describe("the dev server's supervisor", () => {
  it("forks a worker at start, tells it to serve once it is booted, and reports ready with a warm spare", () => {
    const d = new Driver();
    expect(d.load()).toEqual([{ type: "cancel-restart" }, { type: "fork", child: 1 }]);
    expect(d.role(1)).toBe("loading");
    expect(d.message(1, { type: "standby" })).toEqual([
      { type: "send", child: 1, message: { type: "serve", config, failed: [] } },
    ]);
    const effects = d.ready(1, 40);
    expect(types(effects)).toEqual(["log", "ready", "fork"]);
    expect(logs(effects)).toEqual([
      "info: dev server listening on http://127.0.0.1:3000/api (5 routes), watching " +
        config.routesDir,
    ]);
    expect(effects[0]).toMatchObject({ fields: { startMs: 40, port: 3000, routes: 5 } });
    expect(effects[1]).toEqual({ type: "ready", port: 3000 });
    expect(effects[2]).toEqual({ type: "fork", child: 2 });
    expect(d.state).toMatchObject({ serving: 1, spare: 2, started: true, loading: undefined });
  });

  it("loads a change in the warm spare, forks the next spare, and retires the old worker only once the new one listens", () => {
    const d = serving();
    const onChange = d.load(["hello.ts"], 100);
    expect(onChange).toEqual([
      { type: "cancel-restart" },
      { type: "send", child: 2, message: { type: "serve", config, failed: [] } },
      { type: "fork", child: 3 },
    ]);
    expect(d.role(1)).toBe("serving");
    const onReady = d.ready(2, 160);
    expect(logs(onReady)).toEqual(["info: reloaded in 60 ms (hello.ts): 5 routes"]);
    expect(onReady).toContainEqual({
      type: "retire",
      child: 1,
      drain: true,
      patienceMs: 3000 + STOP_TIMEOUT_MS,
    });
    expect(d.state).toMatchObject({ serving: 2, spare: 3 });
    expect(d.role(1)).toBe("retiring");
  });

  it("holds a message for a worker that has not booted yet, and sends it at standby", () => {
    const d = serving();
    d.load(["a.ts"], 0); // 2 loads, 3 forked
    d.load(["b.ts"], 10); // 3 is not booted: its serve waits
    expect(d.state.children.get(3)?.pending).toEqual({ type: "serve", config, failed: [] });
    expect(d.message(3, { type: "standby" })).toEqual([
      { type: "send", child: 3, message: { type: "serve", config, failed: [] } },
    ]);
    expect(d.state.children.get(3)?.pending).toBeUndefined();
  });

  it("retires a load made obsolete by a newer change, with the short patience of a loading worker", () => {
    const d = serving();
    d.load(["a.ts"], 0);
    const effects = d.load(["a.ts", "b.ts", "c.ts", "d.ts"], 10);
    expect(effects).toContainEqual({
      type: "retire",
      child: 2,
      drain: true,
      patienceMs: LOADING_STOP_MS,
    });
    expect(d.state.loading).toMatchObject({ child: 3, files: ["a.ts", "b.ts", "c.ts", "d.ts"] });
    // A late answer from the obsolete worker changes nothing.
    expect(d.ready(2)).toEqual([]);
    d.message(3, { type: "standby" });
    expect(logs(d.ready(3, 50))).toEqual([
      "info: reloaded in 40 ms (a.ts, b.ts, c.ts and 1 more): 5 routes",
    ]);
  });

  it("starts a fresh worker with the failed files when a worker asks to retry", () => {
    const d = serving();
    d.load(["bad.ts"], 0);
    d.message(3, { type: "standby" });
    const failed = [{ file: "bad.ts", reason: "throws on import: Error: boom" }];
    const effects = d.message(2, { type: "retry", failed });
    expect(d.role(2)).toBe("retiring");
    expect(effects).toContainEqual({
      type: "send",
      child: 3,
      message: { type: "serve", config, failed },
    });
    expect(effects).toContainEqual({ type: "fork", child: 4 });
    const loaded = d.ready(3, 5, { failed, routes: 4 });
    expect(logs(loaded)).toEqual([
      "error: route file bad.ts failed to load: throws on import: Error: boom",
      "info: reloaded in 5 ms (bad.ts): 4 routes, 1 failing",
    ]);
  });

  it("logs a table that cannot be built, and serves its error", () => {
    const d = serving();
    d.load(["users.ts"], 0);
    expect(logs(d.ready(2, 0, { routes: 0, tableError: "Cannot load the routes" }))).toEqual([
      "error: Cannot load the routes\nevery /api request answers this until it is fixed",
      "info: reloaded in 0 ms (users.ts): no route table",
    ]);
  });

  it("fails start-up when the first worker cannot listen, and keeps serving when a later one cannot", () => {
    const first = new Driver();
    first.load();
    first.message(1, { type: "standby" });
    expect(
      first.message(1, { type: "error", message: "cannot listen on 127.0.0.1:3000: EADDRINUSE" }),
    ).toEqual([
      { type: "log", level: "fatal", message: "cannot listen on 127.0.0.1:3000: EADDRINUSE" },
      { type: "fail", message: "cannot listen on 127.0.0.1:3000: EADDRINUSE" },
    ]);
    const later = serving();
    later.load(["a.ts"]);
    expect(types(later.message(2, { type: "error", message: "x" }))).toEqual(["log"]);
    expect(later.state.serving).toBe(1);
  });

  it.each([
    [
      "soon after it started serving: after a pause",
      40 + DEV_RESTARTS.stableUptimeMs - 1,
      DEV_RESTARTS.firstDelayMs,
      "restarting in 1000 ms",
    ],
    ["long after: at once", 40 + DEV_RESTARTS.stableUptimeMs, 0, "restarting"],
  ])("restarts a serving worker that crashes %s", (_when, now, delayMs, words) => {
    const d = serving();
    const effects = d.exit(1, 3, now);
    expect(logs(effects)).toEqual([`error: the dev server worker exited (exit code 3): ${words}`]);
    expect(effects).toContainEqual({ type: "restart", delayMs });
    expect(d.state.serving).toBeUndefined();
  });

  it("waits longer each time a restarted worker crashes young again (the shared restart brake)", () => {
    const d = serving();
    expect(d.exit(1, 3, 100)).toContainEqual({ type: "restart", delayMs: 1000 });
    d.load([], 1100);
    d.message(2, { type: "standby" });
    d.ready(2, 1200);
    expect(logs(d.exit(2, 3, 1300))).toEqual([
      "error: the dev server worker exited (exit code 3): restarting in 2000 ms",
    ]);
  });

  it("does not restart a worker stopped from outside (exit code 0), nor count retiring workers' exits", () => {
    const d = serving();
    expect(logs(d.exit(1, 0))).toEqual([
      "warn: the dev server worker stopped (exit code 0): the next change restarts it",
    ]);
    const e = serving();
    e.load(["a.ts"]);
    e.ready(2);
    expect(e.exit(1, null, 0, "SIGKILL")).toEqual([]);
    expect(e.state.children.has(1)).toBe(false);
  });

  it("logs a spare or a loading worker that dies, and forgets it", () => {
    const d = serving();
    expect(logs(d.exit(2, 1))).toEqual(["warn: a standby dev server worker exited (exit code 1)"]);
    expect(d.state.spare).toBeUndefined();
    const e = serving();
    e.load(["a.ts"]);
    expect(logs(e.exit(2, null, 0, "SIGSEGV"))).toEqual([
      "error: the worker loading the routes exited (signal SIGSEGV): fix the code, the next change reloads",
    ]);
    expect(e.state.loading).toBeUndefined();
  });

  it("does nothing more once stopping: no load, no restart, exits ignored", () => {
    const d = serving();
    expect(d.send({ type: "stop" })).toEqual([{ type: "cancel-restart" }]);
    expect(d.load(["a.ts"])).toEqual([]);
    expect(d.exit(1, 3, 10)).toEqual([]);
  });

  it("never changes the state it is given", () => {
    const d = serving();
    const before = d.state;
    const children = new Map(before.children);
    step(before, { type: "load", since: 0, files: ["x.ts"] }, options);
    step(before, { type: "exit", child: 1, code: 1, signal: null, now: 0 }, options);
    expect(before.children).toEqual(children);
    expect(before).toMatchObject({ serving: 1, spare: 2, loading: undefined });
  });
});
