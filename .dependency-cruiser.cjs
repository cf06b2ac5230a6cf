// The architecture, held by a tool rather than by review: each folder of src/ may import only the
// folders below it. Bottom to top: internals/ (each reach into a library's internals, one function
// each) → the shared leaf files → http/ (Node's HTTP: JSON errors,
// methods, per-request state, ServerRequest, the server) → types.ts (NextApiRequest extends
// ServerRequest) → next/ (Next's request and response semantics) →
// web/ (Next's Web-standard API: NextRequest, NextResponse, next/headers, …) → middleware/ → validation/ → loader/ (files → route table) → router/ (dispatch, run a route) →
// openapi/ → app/ with config (and its readers, config-fields.ts) and logger (createApp, the one request handler) → telemetry/ (the
// OpenTelemetry SDK, loaded by the server only when tracing is on) → lifecycle.ts and
// restart-brake.ts (signals, shutdown, exit, crash-loop brake) → the entry points (server.ts, cluster/, cli/, dev/, testing.ts, index.ts),
// which do not import each other's process. `npm run lint` runs it.
"use strict";

const LAYERS = [
  ["internals", "^src/internals/"],
  ["leaf files", "^src/(errors|rate|size)\\.ts$"],
  ["http", "^src/http/"],
  ["types", "^src/types\\.ts$"],
  ["next", "^src/next/"],
  ["web", "^src/web/"],
  ["middleware", "^src/middleware/"],
  ["validation", "^src/validation/"],
  ["loader", "^src/loader/"],
  ["router", "^src/router/"],
  ["openapi", "^src/openapi/"],
  ["client", "^src/client/"],
  ["mcp", "^src/mcp/"],
  ["app", "^src/(app/|config(-fields)?\\.ts$|logger\\.ts$)"],
  ["telemetry", "^src/telemetry/"],
  ["lifecycle", "^src/(lifecycle|restart-brake)\\.ts$"],
];

/** Files that are run, never imported: each starts its process when loaded. */
const RUN_FILES = "^src/(main|cli|healthcheck)\\.ts$|^src/dev/worker-entry\\.ts$";

/**
 * The tops of the different processes: `npm start` (server.ts and its WORKERS primary in
 * cluster/), `nextpress dev` (dev/), a test's in-process server (testing.ts). None imports another.
 */
const PROCESSES = [
  ["server", "^src/(server\\.ts$|cluster/)"],
  ["dev", "^src/dev/"],
  ["testing", "^src/testing\\.ts$"],
];

const apart = PROCESSES.map(([name, path]) => ({
  name: `no-import-between-entry-points-from-${name}`,
  comment: `${name} is the top of its own process: what it shares with another goes below both (lifecycle.ts, app/)`,
  severity: "error",
  from: { path },
  to: { path: PROCESSES.filter(([other]) => other !== name).map(([, to]) => to) },
}));

const upward = LAYERS.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-import-from-${name.replace(/ /g, "-")}`,
  comment: `${name} sits below ${LAYERS.slice(index + 1)
    .map(([above]) => above)
    .join(", ")} and the entry points: it may not import them`,
  severity: "error",
  from: { path },
  to: { path: "^src/", pathNot: LAYERS.slice(0, index + 1).map(([, below]) => below) },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...apart,
    {
      name: "no-circular",
      comment: "a cycle makes two modules one: merge them, or move what both need below both",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-import-of-entry-points",
      comment:
        "main.ts, cli.ts, healthcheck.ts and dev/worker-entry.ts are run, index.ts is imported from outside src/: nothing inside imports them",
      severity: "error",
      from: { path: "^src/" },
      to: { path: [RUN_FILES, "^src/index\\.ts$"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
