import { InvalidRouteError } from "../../src/errors";
import { defineRoute } from "../../src/define-route";
import type { RouteModule } from "../../src/loader/import-route";
import { loadRoutes } from "../../src/loader/load-routes";
import { checkOpenApiMetadata, readRouteDocs } from "../../src/openapi/route-docs";
import type { NextApiHandler } from "../../src/types";
import { buildTestApp, fixture } from "../helpers/app";

const handler: NextApiHandler = (_req, res) => res.json({});

function mod(parts: Partial<RouteModule>): RouteModule {
  return { methods: {}, middleware: undefined, schema: undefined, config: undefined, ...parts };
}

describe("checkOpenApiMetadata", () => {
  it("accepts every documented key", () => {
    const metadata = {
      summary: "s",
      description: "d",
      tags: ["a"],
      operationId: "listThings_v2",
      deprecated: false,
      examples: { body: { a: 1 }, query: { page: 1 }, responses: { 200: { ok: true } } },
      links: {
        201: {
          readIt: {
            operationId: "readIt",
            parameters: { id: "$response.body#/data/id", etag: "$response.header.ETag" },
            description: "d",
          },
        },
      },
    };
    expect(checkOpenApiMetadata(metadata, "openapi")).toBe(metadata);
    expect(checkOpenApiMetadata(undefined, "openapi")).toBeUndefined();
  });

  it.each([
    ["a string", "hello", /invalid `openapi`: expected an object/],
    ["an unknown key", { summry: "x" }, /unknown key "summry"/],
    ["a non-string summary", { summary: 1 }, /`openapi.summary`: expected a string/],
    [
      "tags that are not a list of names",
      { tags: "users" },
      /`openapi.tags`: expected an array of names/,
    ],
    ["an empty list of tags", { tags: [] }, /`openapi.tags`: expected an array of names/],
    [
      "an operationId with spaces",
      { operationId: "list users" },
      /`openapi.operationId`: expected a name/,
    ],
    [
      "a non-boolean deprecated",
      { deprecated: "yes" },
      /`openapi.deprecated`: expected true or false/,
    ],
    [
      "an unknown examples key",
      { examples: { request: {} } },
      /unknown key "request": use body, query or responses/,
    ],
    [
      "a response example under a non-status",
      { examples: { responses: { ok: {} } } },
      /"ok" is not an HTTP status code/,
    ],
    [
      "links under a non-status",
      { links: { created: {} } },
      /`openapi.links`: "created" is not an HTTP status code/,
    ],
    [
      "a link without an operationId",
      { links: { 201: { x: { parameters: {} } } } },
      /`openapi.links.201.x`: expected \{ operationId, parameters \}/,
    ],
    [
      "a link without parameters",
      { links: { 201: { x: { operationId: "x" } } } },
      /`openapi.links.201.x.parameters`: expected/,
    ],
    [
      "a link parameter that is not a response expression",
      { links: { 201: { x: { operationId: "x", parameters: { id: "$request.path.id" } } } } },
      /`openapi.links.201.x.parameters.id`: expected a runtime expression such as "\$response.body#\/id"/,
    ],
  ])("refuses %s, naming the export", (_case, value, message) => {
    expect(() => checkOpenApiMetadata(value, "openapi")).toThrow(InvalidRouteError);
    expect(() => checkOpenApiMetadata(value, "openapi")).toThrow(message);
  });
});

describe("readRouteDocs", () => {
  it("reads the file's metadata and each defineRoute endpoint's own", () => {
    const GET = defineRoute({ openapi: { summary: "one" }, handler });
    const docs = readRouteDocs(
      mod({ methods: { GET }, docs: { openapi: { tags: ["t"] }, methods: undefined } }),
    );
    expect(docs).toStrictEqual({
      file: { tags: ["t"] },
      endpoints: { GET: { summary: "one" } },
      defaultMethods: undefined,
    });
  });

  it("does not count `module.exports.openapi` twice when it sits on the handler itself", () => {
    const main = Object.assign((() => undefined) as NextApiHandler, {
      openapi: { summary: "file" },
    });
    const docs = readRouteDocs(
      mod({ handler: main, docs: { openapi: main.openapi, methods: undefined } }),
    );
    expect(docs.file).toStrictEqual({ summary: "file" });
    expect(docs.endpoints).toStrictEqual({});
  });

  it("documents a default export with `export const methods`, else with its per-method schema keys, else not at all", () => {
    expect(
      readRouteDocs(mod({ handler, docs: { openapi: undefined, methods: ["POST", "GET"] } }))
        .defaultMethods,
    ).toStrictEqual(["GET", "POST"]);
    expect(readRouteDocs(mod({ handler, schema: { PUT: {} } })).defaultMethods).toStrictEqual([
      "PUT",
    ]);
    expect(readRouteDocs(mod({ handler })).defaultMethods).toBeUndefined();
  });
});

describe("start-up", () => {
  it("refuses bad documentation exports, naming every file", async () => {
    const loading = buildTestApp("openapi-bad-metadata");
    await expect(loading).rejects.toThrow(/misspelt\.ts: invalid `openapi`: unknown key "summry"/);
    await expect(loading).rejects.toThrow(
      /bad-methods\.ts: invalid `methods`: expected a list of HTTP methods/,
    );
    await expect(loading).rejects.toThrow(
      /methods-only\.ts: invalid `methods`: documents the methods of a default export, and this file has none/,
    );
  });

  it("reads a route's documentation from the exports the loader kept", async () => {
    const routes = await loadRoutes(fixture("openapi-rich"), { bodyLimit: "1mb" });
    const files = routes.find((r) => r.file === "files/[...path].ts");
    expect(files && readRouteDocs(files.module)).toStrictEqual({
      file: { summary: "Read a file", tags: ["files"] },
      endpoints: {},
      defaultMethods: ["GET"],
    });
  });
});
