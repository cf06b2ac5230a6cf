import path from "node:path";
import { isProtected } from "../../src/cli/route-table";
import { RouteLoadError } from "../../src/errors";
import { loadRoutes, type Route } from "../../src/loader/load-routes";
import { documentRoutes, type OpenApiDocument } from "../../src/openapi";
import type { Operation } from "../../src/openapi/operations";
import { fixture } from "../helpers/app";
import { PROJECT_ROOT } from "../helpers/process";

const SAMPLE_ROUTES = path.join(PROJECT_ROOT, "routes");

async function documentOf(dir: string): Promise<{ doc: OpenApiDocument; routes: Route[] }> {
  const routes = await loadRoutes(dir, { bodyLimit: "1mb" });
  return { doc: documentRoutes(routes, dir), routes };
}

function methodsByPath(doc: OpenApiDocument): Record<string, string[]> {
  return Object.fromEntries(Object.entries(doc.paths).map(([p, item]) => [p, Object.keys(item)]));
}

function op(doc: OpenApiDocument, method: string, p: string): Operation {
  const found = (doc.paths[p] as Record<string, Operation> | undefined)?.[method];
  if (!found) throw new Error(`no ${method} ${p} in the document`);
  return found;
}

describe("the document of the sample routes", () => {
  let doc: OpenApiDocument;
  let routes: Route[];
  beforeAll(async () => ({ doc, routes } = await documentOf(SAMPLE_ROUTES)));

  it("is OpenAPI 3.1 with info from the project's package.json and this server as its server", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({
      title: "nextpress",
      version: "0.1.0",
      contact: { name: "nextpress" },
      license: { name: "MIT", identifier: "MIT" },
    });
    expect(doc.servers).toStrictEqual([{ url: "/", description: "This server" }]);
  });

  it("lists every route with its methods: method exports exactly, HEAD left out, an undeclared default export as GET…DELETE", () => {
    const any = ["get", "post", "put", "patch", "delete"];
    expect(methodsByPath(doc)).toStrictEqual({
      "/api/admin/stats": ["get"],
      "/api/edge-echo": ["post"],
      "/api/hello": any,
      "/api/secure-data": any,
      "/api/users": ["get", "post"],
      "/api/users/{id}": ["get", "patch", "delete"],
      "/api/users/{id}/avatar": ["get", "put"],
    });
    expect(Object.keys(doc.paths)).toHaveLength(routes.length);
  });

  it("says a default export receives every method, and documents any other answer as `default`", () => {
    const hello = op(doc, "put", "/api/hello");
    expect(hello.description).toContain("every method reaches this handler");
    expect(hello.description).toContain("Route file: `hello.ts`");
    expect(Object.keys(hello.responses)).toStrictEqual(["2XX", "default"]);
  });

  it("documents POST /api/users from its zod schema: a JSON body with a valid example, 201, the 400 shape and 413", () => {
    const post = op(doc, "post", "/api/users");
    const body = post.requestBody?.content["application/json"];
    expect(post.requestBody?.required).toBe(true);
    expect(body?.schema).toMatchObject({
      type: "object",
      properties: {
        name: { type: "string", minLength: 1, maxLength: 100 },
        email: { type: "string", format: "email" },
      },
      required: ["name", "email"],
    });
    const users = routes.find((r) => r.file === "users.ts") as Route;
    const zodBody = users.endpoints.byMethod.get("POST")?.schema?.body;
    expect(zodBody?.safeParse(body?.example).success).toBe(true);
    expect(post.responses["201"]).toMatchObject({
      description: "Created",
      content: { "application/json": { schema: { $ref: "#/components/schemas/User" } } },
    });
    expect(doc.components.schemas?.User).toMatchObject({
      required: ["id", "name", "email", "createdAt", "updatedAt"],
    });
    expect(post.responses["409"]).toMatchObject({
      description: "Conflict",
      content: { "application/json": { schema: { required: ["message"] } } },
    });
    expect(post.responses["400"]).toStrictEqual({
      $ref: "#/components/responses/ValidationFailed",
    });
    expect(post.responses["413"]).toStrictEqual({ $ref: "#/components/responses/PayloadTooLarge" });
    expect(post.security).toBeUndefined();
    expect(post.description).toContain(
      "Other methods: `405 Method Not Allowed` with `Allow: GET, HEAD, POST, OPTIONS`",
    );
  });

  it("documents the avatar upload as multipart/form-data: the file as binary, its types as the encoding", () => {
    expect(doc.paths["/api/users/{id}/avatar"]?.put?.requestBody).toMatchObject({
      required: true,
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            properties: { avatar: { type: "string", format: "binary", maxLength: 262144 } },
            required: ["avatar"],
          },
          encoding: { avatar: { contentType: "image/png, image/jpeg, image/webp" } },
        },
      },
    });
  });

  it("links the id POST /api/users answers to the operations on /api/users/{id}, as OpenAPI links", () => {
    const created = op(doc, "post", "/api/users").responses["201"] as {
      links?: Record<string, unknown>;
    };
    const byId = { id: "$response.body#/id" };
    expect(created.links).toStrictEqual({
      getUser: { operationId: "getUser", parameters: byId },
      updateUser: { operationId: "updateUser", parameters: byId },
      deleteUser: { operationId: "deleteUser", parameters: byId },
      putUserAvatar: { operationId: "putUserAvatar", parameters: byId },
    });
    expect(
      ["get", "patch", "delete"].map((method) => op(doc, method, "/api/users/{id}").operationId),
    ).toStrictEqual(["getUser", "updateUser", "deleteUser"]);
  });

  it("puts the Bearer scheme and a 401 on routes behind authenticate, and nowhere else", () => {
    const stats = op(doc, "get", "/api/admin/stats");
    expect(stats.security).toStrictEqual([{ bearerAuth: [] }]);
    expect(stats.responses["401"]).toStrictEqual({ $ref: "#/components/responses/Unauthorized" });
    expect(doc.components.securitySchemes).toStrictEqual({
      bearerAuth: expect.objectContaining({ type: "http", scheme: "bearer" }),
    });
    const secured = Object.values(doc.paths)
      .flatMap((item) => Object.values(item))
      .filter((o) => o.security);
    expect(secured.map((o) => o.operationId)).toStrictEqual([
      "getApiAdminStats",
      "updateUser",
      "deleteUser",
      "putUserAvatar",
    ]);
  });

  it("has the error shapes as components: {message}, and {message, issues} for validation", () => {
    expect(doc.components.schemas?.Error).toMatchObject({
      properties: { message: { type: "string" } },
      required: ["message"],
    });
    expect(doc.components.schemas?.ValidationError).toMatchObject({
      required: ["message", "issues"],
    });
    expect(doc.components.responses).toMatchObject({
      Unauthorized: {
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        headers: { "WWW-Authenticate": expect.any(Object) },
      },
      ValidationFailed: {
        content: {
          "application/json": { schema: { $ref: "#/components/schemas/ValidationError" } },
        },
      },
    });
  });

  it("documents a [param] as a required path parameter and tags operations by their first path segment", () => {
    const user = op(doc, "get", "/api/users/{id}");
    expect(user.parameters).toStrictEqual([
      expect.objectContaining({
        name: "id",
        in: "path",
        required: true,
        example: "1",
        schema: expect.objectContaining({ type: "string", pattern: "^[1-9][0-9]{0,14}$" }),
      }),
    ]);
    expect(op(doc, "get", "/api/hello").parameters).toBeUndefined();
    expect(user.tags).toStrictEqual(["users"]);
    expect(doc.tags.map((t) => t.name)).toStrictEqual([
      "admin",
      "edge-echo",
      "hello",
      "secure-data",
      "users",
    ]);
  });

  it("gives every operation a unique operationId", () => {
    const ids = Object.values(doc.paths).flatMap((item) =>
      Object.values(item).map((o) => o.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the document of a richer tree", () => {
  let doc: OpenApiDocument;
  beforeAll(async () => ({ doc } = await documentOf(fixture("openapi-rich"))));

  it("takes title, version, description, contact and license from the nearest package.json", () => {
    expect(doc.info).toStrictEqual({
      title: "rich-api",
      version: "2.1.0",
      description:
        "The richer fixture of the OpenAPI tests.\n\nGenerated by nextpress from the route files.",
      contact: { name: "Ada Lovelace", email: "ada@example.com", url: "https://ada.example" },
      license: { name: "MIT", identifier: "MIT" },
    });
  });

  it("documents `export const methods` and a default export's per-method schema keys as exactly those methods", () => {
    expect(methodsByPath(doc)).toMatchObject({
      "/api/files/{path}": ["get"],
      "/api/pages": ["get"],
      "/api/pages/{slug}": ["get"],
      "/api/search": ["get"],
      "/api/legacy": ["get", "post", "put", "patch", "delete"],
      "/api/items": ["get", "post"],
      "/api/items/{id}": ["get", "patch", "delete"],
    });
    expect(Object.keys(op(doc, "get", "/api/files/{path}").responses)).toStrictEqual(["2XX"]);
  });

  it("documents a catch-all as one path parameter spanning segments, and an optional one also as its folder", () => {
    const [file] = op(doc, "get", "/api/files/{path}").parameters ?? [];
    expect(file).toMatchObject({
      name: "path",
      in: "path",
      required: true,
      schema: { type: "string" },
    });
    expect(file.description).toMatch(/One or more path segments.*\[\.\.\.path\]/);
    expect(op(doc, "get", "/api/pages").parameters).toBeUndefined();
    expect(op(doc, "get", "/api/pages/{slug}").parameters?.[0].description).toContain(
      "[[...slug]]",
    );
    expect(op(doc, "get", "/api/pages").operationId).not.toBe(
      op(doc, "get", "/api/pages/{slug}").operationId,
    );
  });

  it("turns the query schema into query parameters, and its entry for a path param into that param's schema", () => {
    const list = op(doc, "get", "/api/items");
    expect(list.parameters).toStrictEqual([
      {
        name: "page",
        in: "query",
        required: false,
        schema: expect.objectContaining({
          type: "integer",
          minimum: 1,
          default: 1,
          description: "1-based page number",
        }),
        example: 1,
      },
      {
        name: "sort",
        in: "query",
        required: false,
        schema: { type: "string", enum: ["name", "price"] },
        example: "name",
      },
      {
        name: "q",
        in: "query",
        required: false,
        schema: { type: "string", maxLength: 50 },
        example: "example",
      },
    ]);
    const [id] = op(doc, "get", "/api/items/{id}").parameters ?? [];
    expect(id).toMatchObject({
      name: "id",
      in: "path",
      required: true,
      schema: { type: "integer", exclusiveMinimum: 0 },
      example: 1,
    });
  });

  it("turns the headers schema into header parameters", () => {
    expect(op(doc, "get", "/api/search").parameters).toStrictEqual([
      expect.objectContaining({ name: "q", in: "query", required: true, example: "lamp" }),
      {
        name: "x-api-version",
        in: "header",
        required: true,
        schema: { type: "string", enum: ["1", "2"] },
        example: "1",
      },
    ]);
  });

  it("protects only the methods whose own chain holds authenticate", () => {
    expect(op(doc, "get", "/api/items/{id}").security).toBeUndefined();
    expect(op(doc, "patch", "/api/items/{id}").security).toStrictEqual([{ bearerAuth: [] }]);
    expect(op(doc, "delete", "/api/items/{id}").security).toStrictEqual([{ bearerAuth: [] }]);
    expect(op(doc, "get", "/api/admin/report").security).toStrictEqual([{ bearerAuth: [] }]);
  });

  it("documents responses per status: declared schemas, 204 without a body, 400/401 added by what the route does", () => {
    expect(Object.keys(op(doc, "get", "/api/items/{id}").responses).sort()).toStrictEqual([
      "200",
      "400",
      "404",
    ]);
    expect(op(doc, "delete", "/api/items/{id}").responses["204"]).toStrictEqual({
      description: "No Content",
    });
    expect(Object.keys(op(doc, "patch", "/api/items/{id}").responses).sort()).toStrictEqual([
      "200",
      "400",
      "401",
      "413",
    ]);
  });

  it("agrees with the route table's AUTH column: a route is protected when any of its operations is", async () => {
    const routes = await loadRoutes(fixture("openapi-rich"), { bodyLimit: "1mb" });
    for (const route of routes) {
      const operations = Object.values(doc.paths)
        .flatMap((item) => Object.values(item))
        .filter((o) => o.description.includes(`Route file: \`${route.file}\``));
      expect([route.file, operations.some((o) => o.security !== undefined)]).toStrictEqual([
        route.file,
        isProtected(route),
      ]);
    }
  });

  it("makes one component of a `.meta({ id })` schema used by several routes", () => {
    const ref = { $ref: "#/components/schemas/Item" };
    expect(op(doc, "get", "/api/items/{id}").responses["200"]).toMatchObject({
      content: { "application/json": { schema: ref } },
    });
    expect(op(doc, "post", "/api/items").responses["201"]).toMatchObject({
      content: { "application/json": { schema: ref } },
    });
    expect(doc.components.schemas?.Item).toMatchObject({
      type: "object",
      description: "An item for sale.",
    });
    expect(
      Object.keys(doc.components.schemas ?? {}).filter((name) => name.startsWith("Item")),
    ).toStrictEqual(["Item"]);
  });

  it("makes a recursive schema a component that refers to itself, not to the document's root", () => {
    const ok = op(doc, "get", "/api/tree").responses["200"] as unknown as {
      content: { "application/json": { schema: { $ref: string } } };
    };
    const ref = ok.content["application/json"].schema.$ref;
    const name = ref.replace("#/components/schemas/", "");
    expect(doc.components.schemas?.[name]).toMatchObject({
      properties: { children: { type: "array", items: { $ref: ref } } },
    });
    expect(JSON.stringify(doc)).not.toContain('"$ref":"#"');
    expect(JSON.stringify(doc)).not.toContain("$defs");
  });

  it("applies `export const openapi` and defineRoute's `openapi`: summary, description, tags, operationId, examples, deprecated", () => {
    expect(op(doc, "get", "/api/files/{path}")).toMatchObject({
      summary: "Read a file",
      tags: ["files"],
    });
    const list = op(doc, "get", "/api/items");
    expect(list.summary).toBe("List items");
    expect(list.description).toMatch(
      /^Pages through every item\.\n\nRoute file: `items\/index\.ts`\./,
    );
    const create = op(doc, "post", "/api/items");
    expect(create.operationId).toBe("createItem");
    expect(create.requestBody?.content["application/json"].example).toStrictEqual({
      name: "Desk lamp",
      price: 25,
    });
    expect(create.responses["201"]).toMatchObject({
      content: { "application/json": { example: { id: 7, name: "Desk lamp", price: 25 } } },
    });
    expect(op(doc, "get", "/api/tree").deprecated).toBe(true);
  });
});

describe("metadata the document cannot hold", () => {
  it("stops with every problem, naming the files: a shared operationId, a bad example, one operationId for several methods, each once", async () => {
    const routes = await loadRoutes(fixture("openapi-problems"), { bodyLimit: "1mb" });
    let error: unknown;
    try {
      documentRoutes(routes, fixture("openapi-problems"));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RouteLoadError);
    const message = (error as Error).message;
    expect(message).toContain('first.ts and second.ts: both use the operationId "sameName"');
    expect(message).toContain(
      "bad-example.ts: `openapi.examples.body` of POST does not match its zod schema",
    );
    expect(message).toContain(
      'several.ts: the operationId "several" would name several operations of this file',
    );
    expect(message.match(/several\.ts/g)).toHaveLength(1);
    expect(message).toContain(
      'bad-links.ts: the link "readThing" of POST\'s 201 response names the operationId "readThingTypo", which no operation has',
    );
    expect(message).toContain(
      "bad-links.ts: `openapi.links.202` of POST: declare the 202 response in `schema.responses` first",
    );
  });
});

describe("app-router route handlers in the document", () => {
  it("documents each exported method at the route's own path, with its zod schema and its auth", async () => {
    const routes = await loadRoutes(fixture("web-app/routes"), {
      bodyLimit: "1mb",
      appDir: fixture("web-app/app"),
    });
    const doc = documentRoutes(routes, fixture("web-app/routes"));
    expect(Object.keys(doc.paths["/basic/{tenantID}/endpoint"] ?? {})).toEqual([
      "get",
      "post",
      "put",
      "patch",
      "delete",
    ]);
    expect(doc.paths["/basic/{tenantID}/endpoint"]?.get?.parameters).toEqual([
      expect.objectContaining({ name: "tenantID", in: "path", required: true }),
    ]);
    const validated = doc.paths["/validated"]?.post;
    expect(validated?.requestBody).toBeDefined();
    expect(JSON.stringify(validated?.requestBody)).toContain("email");
    expect(doc.paths["/protected"]?.get?.security).toEqual([{ bearerAuth: [] }]);
    // A leading app/api folder is documented as the pages routes' /api prefix is.
    expect(doc.paths["/api/hello.json"]?.get?.operationId).toBe("getApiHelloJson");
    expect(doc.paths["/api/hello"]?.get).toBeDefined();
  });
});
