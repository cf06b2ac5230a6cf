import {
  initialPrimaryState,
  step,
  type PrimaryEffect,
  type PrimaryEvent,
  type PrimaryState,
  type WorkerId,
} from "../../src/cluster/primary-state";

const options = { workers: 2, host: "127.0.0.1", patienceMs: 7000 };

/** Drives the primary through events, keeping every effect; no process, no timer. */
class Driver {
  state: PrimaryState = initialPrimaryState;
  effects: PrimaryEffect[] = [];

  send(event: PrimaryEvent): PrimaryEffect[] {
    const next = step(this.state, event, options);
    this.state = next.state;
    this.effects.push(...next.effects);
    return next.effects;
  }

  listening(worker: WorkerId) {
    return this.send({ type: "listening", worker, port: 3000 });
  }

  exit(worker: WorkerId, code: number | null, now = 0, signal: string | null = null) {
    return this.send({ type: "exit", worker, code, signal, expected: false, now });
  }
}

const logs = (effects: PrimaryEffect[]) =>
  effects.flatMap((e) => (e.type === "log" ? [`${e.level}: ${e.message}`] : []));
const withoutLogs = (effects: PrimaryEffect[]) => effects.filter((e) => e.type !== "log");

/** A primary whose two workers both listen. */
function running(): Driver {
  const d = new Driver();
  d.send({ type: "start", now: 0 });
  d.listening(1);
  d.listening(2);
  return d;
}

describe("the WORKERS primary (a pure state machine)", () => {
  it("forks one worker per WORKERS at start, and says so once when all of them listen", () => {
    const d = new Driver();
    expect(d.send({ type: "start", now: 0 })).toEqual([
      { type: "fork", worker: 1 },
      { type: "fork", worker: 2 },
    ]);
    expect(d.listening(1)).toEqual([]);
    expect(logs(d.listening(2))).toEqual([
      "info: 2 workers listening on http://127.0.0.1:3000/api",
    ]);
    expect(d.listening(2)).toEqual([]);
  });

  it("replaces a worker that dies at once, then after 1 s, 2 s … while replacements die young (the shared restart brake)", () => {
    const d = running();
    expect(withoutLogs(d.exit(1, null, 60_000, "SIGKILL"))).toEqual([
      { type: "fork-later", delayMs: 0 },
    ]);
    expect(d.send({ type: "fork-due", now: 60_000 })).toEqual([{ type: "fork", worker: 3 }]);
    // Its replacement dies young: the first time at once, then 1 s, then 2 s.
    expect(withoutLogs(d.exit(3, 1, 61_000))).toEqual([{ type: "fork-later", delayMs: 0 }]);
    d.send({ type: "fork-due", now: 61_000 });
    expect(logs(d.exit(4, 1, 62_000))).toEqual([
      "error: worker 4 exited unexpectedly: starting another in 1000 ms",
    ]);
    d.send({ type: "fork-due", now: 63_000 });
    expect(withoutLogs(d.exit(5, 1, 63_500))).toEqual([{ type: "fork-later", delayMs: 2000 }]);
  });

  it("fails start-up when a worker dies before any listened: the others are stopped, exit 1", () => {
    const d = new Driver();
    d.send({ type: "start", now: 0 });
    const effects = d.exit(1, 1);
    expect(logs(effects)).toEqual(["fatal: worker 1 failed to start: stopping"]);
    expect(withoutLogs(effects)).toEqual([{ type: "kill", worker: 2, graceful: true }]);
    expect(
      d.send({ type: "exit", worker: 2, code: null, signal: "SIGTERM", expected: true, now: 0 }),
    ).toContainEqual({
      type: "exit",
      code: 1,
    });
  });

  it("on a signal asks every listening worker to shut down, kills one still starting, and exits 0 when all exited 0", () => {
    const d = new Driver();
    d.send({ type: "start", now: 0 });
    d.listening(1);
    expect(withoutLogs(d.send({ type: "stop", reason: "SIGTERM" }))).toEqual([
      { type: "cancel-forks" },
      { type: "shutdown", worker: 1 },
      { type: "kill", worker: 2, graceful: true },
      { type: "arm-timeout", delayMs: 7000 },
    ]);
    expect(
      d.send({ type: "exit", worker: 2, code: null, signal: "SIGTERM", expected: true, now: 0 }),
    ).not.toContainEqual(expect.objectContaining({ type: "exit" }));
    expect(d.exit(1, 0)).toContainEqual({ type: "exit", code: 0 });
  });

  it("exits 1 when a worker did not exit cleanly while stopping", () => {
    const d = running();
    d.send({ type: "stop", reason: "SIGTERM" });
    d.exit(1, 1);
    expect(d.exit(2, 0)).toContainEqual({ type: "exit", code: 1 });
  });

  it("does not replace a worker once stopping, even when its replacement was due", () => {
    const d = running();
    d.exit(1, null, 60_000, "SIGKILL");
    d.send({ type: "stop", reason: "SIGTERM" });
    expect(d.send({ type: "fork-due", now: 60_000 })).toEqual([]);
  });

  it("kills every worker on a second signal or when the patience is over: exit 1", () => {
    const second = running();
    second.send({ type: "stop", reason: "SIGTERM" });
    const effects = second.send({ type: "stop", reason: "SIGINT" });
    expect(logs(effects)).toEqual(["warn: second signal: killing the workers"]);
    expect(withoutLogs(effects)).toEqual([
      { type: "kill", worker: 1, graceful: false },
      { type: "kill", worker: 2, graceful: false },
      { type: "exit", code: 1 },
    ]);

    const slow = running();
    slow.send({ type: "stop", reason: "SIGTERM" });
    slow.exit(1, 0);
    expect(withoutLogs(slow.send({ type: "timeout" }))).toEqual([
      { type: "kill", worker: 2, graceful: false },
      { type: "exit", code: 1 },
    ]);
  });

  it("never changes the state it is given", () => {
    const d = running();
    const before = d.state;
    const workers = [...before.workers.entries()];
    d.exit(1, null, 0, "SIGKILL");
    d.send({ type: "stop", reason: "SIGTERM" });
    expect([...before.workers.entries()]).toEqual(workers);
    expect(before.stopping).toBe(false);
  });
});
