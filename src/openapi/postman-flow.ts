import type { OpenApiDocument } from "./document";
import type { Operation } from "./operations";
import type { PostmanCollection, PostmanItem } from "./postman-collection";

// OpenAPI links (`$response.body#/id` of createUser feeds getUser's `id`) become a flow in the
// collection: the producing request runs first and stores the value in a collection variable, the
// requests that use it send `{{createUser.id}}`, and the rest follow in the order a resource lives:
// create, read, change, delete.

/** One value a response hands on: `createUser.id` from the 201's body at `/id`. */
interface Capture {
  variable: string;
  status: number;
  expression: string;
}

interface Flow {
  /** By producing operationId. */
  captures: Map<string, Capture[]>;
  /** By consuming operationId: parameter name → variable. */
  uses: Map<string, Map<string, string>>;
  /** Producing operationId → the operationIds that use its values. */
  edges: Map<string, Set<string>>;
}

const METHOD_ORDER = ["POST", "GET", "PUT", "PATCH", "DELETE"];

/** `$response.body#/a/b` → `a.b`; `$response.header.Location` → `Location`. */
function variableSuffix(expression: string): string {
  const pointer = /^\$response\.body#?(.*)$/.exec(expression)?.[1];
  if (pointer === undefined) return expression.replace(/^\$response\.header\./, "");
  return pointer.split("/").filter(Boolean).join(".") || "body";
}

function readFlow(document: OpenApiDocument): Flow {
  const flow: Flow = { captures: new Map(), uses: new Map(), edges: new Map() };
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item) as Operation[]) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!("links" in response) || !response.links) continue;
        for (const link of Object.values(response.links)) {
          for (const [parameter, expression] of Object.entries(link.parameters)) {
            const variable = `${operation.operationId}.${variableSuffix(expression)}`;
            const captures = flow.captures.get(operation.operationId) ?? [];
            if (!captures.some((c) => c.variable === variable))
              captures.push({ variable, status: Number(status), expression });
            flow.captures.set(operation.operationId, captures);
            flow.uses.set(
              link.operationId,
              (flow.uses.get(link.operationId) ?? new Map()).set(parameter, variable),
            );
            flow.edges.set(
              operation.operationId,
              (flow.edges.get(operation.operationId) ?? new Set()).add(link.operationId),
            );
          }
        }
      }
    }
  }
  return flow;
}

/** The test script of a producing request: its status, then each value stored for the next requests. */
function captureScript(captures: readonly Capture[]): string[] {
  return [
    `var captures = ${JSON.stringify(captures)};`,
    "captures.forEach(function (capture) {",
    "  pm.test('hands on ' + capture.variable + ' (' + capture.expression + ')', function () {",
    "    pm.expect(pm.response.code, 'the status that carries ' + capture.variable).to.equal(capture.status);",
    "    var body = capture.expression.indexOf('$response.body') === 0;",
    "    var pointer = capture.expression.split('#')[1] || '';",
    "    var value = body",
    "      ? pointer.split('/').slice(1).reduce(function (v, key) { return v === null || v === undefined ? undefined : v[key.replace(/~1/g, '/').replace(/~0/g, '~')]; }, pm.response.json())",
    "      : pm.response.headers.get(capture.expression.slice('$response.header.'.length));",
    "    pm.expect(value, capture.variable).to.not.equal(undefined);",
    "    pm.collectionVariables.set(capture.variable, String(value));",
    "  });",
    "});",
  ];
}

/** The test script of a request fed by a link: what was just created must be there, so 2xx. */
function useScript(variables: readonly string[]): string[] {
  return [
    `pm.test(${JSON.stringify(`uses ${variables.join(", ")}: answers 2xx`)}, function () {`,
    "  pm.expect(pm.response.code).to.be.within(200, 299);",
    "});",
  ];
}

/**
 * Producers before the requests that use their values; otherwise POST, GET, PUT, PATCH, DELETE,
 * a request that uses a value before one of its method that does not, then the converter's order.
 */
function orderFlow(
  items: PostmanItem[],
  operationOf: (item: PostmanItem) => string | undefined,
  flow: Flow,
): PostmanItem[] {
  const entries = items.map((item, index) => ({ item, index, op: operationOf(item) }));
  const needs = new Map(
    entries.map((entry) => [
      entry,
      entries.filter(
        (other) =>
          other !== entry && other.op && entry.op && flow.edges.get(other.op)?.has(entry.op),
      ),
    ]),
  );
  if ([...needs.values()].every((list) => list.length === 0)) return items;
  const rank = (entry: (typeof entries)[number]) => {
    const method = METHOD_ORDER.indexOf(entry.item.request?.method ?? "");
    return [
      method === -1 ? METHOD_ORDER.length : method,
      (needs.get(entry) ?? []).length > 0 ? 0 : 1,
      entry.index,
    ];
  };
  const before = (a: number[], b: number[]) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const placed = new Set<(typeof entries)[number]>();
  const ordered: PostmanItem[] = [];
  while (ordered.length < entries.length) {
    const left = entries.filter((entry) => !placed.has(entry));
    const ready = left.filter((entry) =>
      (needs.get(entry) ?? []).every((need) => placed.has(need)),
    );
    // A cycle of links: take the next one anyway.
    const next = (ready.length > 0 ? ready : left).reduce((best, entry) =>
      before(rank(entry), rank(best)) < 0 ? entry : best,
    );
    placed.add(next);
    ordered.push(next.item);
  }
  return ordered;
}

/**
 * Turns the document's links into a runnable flow (see above): variables declared on the
 * collection, test scripts that store them, parameters that send them, requests reordered in
 * each folder. `operationOf` maps a request to its operationId.
 */
export function applyLinks(
  collection: PostmanCollection,
  document: OpenApiDocument,
  operationOf: (item: PostmanItem) => string | undefined,
): void {
  const flow = readFlow(document);
  if (flow.captures.size === 0) return;
  const reorder = (items: PostmanItem[]): PostmanItem[] =>
    orderFlow(
      items.map((item) => (item.item ? { ...item, item: reorder(item.item) } : item)),
      operationOf,
      flow,
    );
  collection.item = reorder(collection.item);
  const visit = (items: readonly PostmanItem[]) => {
    for (const item of items) {
      if (item.item) visit(item.item);
      const op = item.request && operationOf(item);
      if (!op || !item.request) continue;
      const captures = flow.captures.get(op);
      const uses = flow.uses.get(op);
      const scripts = [
        ...(uses ? useScript([...new Set(uses.values())]) : []),
        ...(captures ? captureScript(captures) : []),
      ];
      if (scripts.length > 0)
        item.event = [
          ...((item.event as unknown[] | undefined) ?? []),
          { listen: "test", script: { type: "text/javascript", exec: scripts } },
        ];
      for (const [parameter, variable] of uses ?? []) {
        const url = item.request.url as {
          variable?: { key: string; value?: string }[];
          query?: { key: string; value?: string; disabled?: boolean }[];
        };
        for (const entry of [...(url.variable ?? []), ...(url.query ?? [])]) {
          if (entry.key !== parameter) continue;
          entry.value = `{{${variable}}}`;
          if ("disabled" in entry) entry.disabled = false;
        }
      }
    }
  };
  visit(collection.item);
  for (const [op, captures] of flow.captures) {
    for (const capture of captures) {
      const users = [...(flow.edges.get(op) ?? [])].join(", ");
      collection.variable?.push({
        key: capture.variable,
        value: "",
        description: `Set by ${op} (${capture.status}, ${capture.expression}); sent by ${users}`,
      });
    }
  }
}
