import type { z } from "zod";
import { kWrappedMiddleware, wrappedMiddleware, type AnyMiddleware } from "./middleware/compose";
import type { OpenApiMetadata } from "./openapi/route-docs";
import type { NextApiHandler, NextApiRequest, NextApiResponse } from "./types";
import type { RouteSchema } from "./validation/route-schema";
import type { NextRequest } from "./web/next-request";

// Not distributive: without a schema, S["query"] is `ZodType | undefined` and must give NextApiRequest's type, not unknown.
type Parsed<T, Otherwise> = [T] extends [z.ZodType] ? z.output<T> : Otherwise;

/** The request a validated handler receives: `query` and `body` typed by the schema. */
export type ValidatedRequest<S extends RouteSchema> = Omit<NextApiRequest, "query" | "body"> & {
  query: Parsed<S["query"], NextApiRequest["query"]>;
  body: Parsed<S["body"], NextApiRequest["body"]>;
};

/** The union of the documented response bodies, or unknown when none are. */
type ResponseData<S extends RouteSchema> =
  S["responses"] extends Record<number, z.ZodType>
    ? z.input<S["responses"][keyof S["responses"]]>
    : unknown;

export interface RouteDefinition<S extends RouteSchema> {
  schema?: S;
  /** Runs after the file's and folders' middleware, before validation. */
  middleware?: AnyMiddleware[];
  /** What /openapi.json says about this endpoint (summary, description, tags, operationId, examples). */
  openapi?: OpenApiMetadata;
  handler: (req: ValidatedRequest<S>, res: NextApiResponse<ResponseData<S>>) => unknown;
}

/** A handler that carries its schema and middleware for the loader to find. */
export type DefinedHandler<S extends RouteSchema = RouteSchema> = NextApiHandler & {
  schema?: S;
  middleware?: AnyMiddleware[];
  openapi?: OpenApiMetadata;
};

/**
 * A handler whose `req.query` and `req.body` are typed from its zod schema, and validated before
 * it runs (400 `{"message":"Invalid request","issues":[…]}` otherwise). Use it as the default
 * export or as a method export.
 *
 * @example
 * export const POST = defineRoute({
 *   schema: { body: z.object({ name: z.string(), email: z.email() }) },
 *   handler: (req, res) => res.status(201).json({ user: req.body }), // req.body: { name; email }
 * });
 */
export function defineRoute<S extends RouteSchema>(
  definition: RouteDefinition<S>,
): DefinedHandler<S> {
  const handler = definition.handler as unknown as NextApiHandler;
  return Object.assign((req: NextApiRequest, res: NextApiResponse) => handler(req, res), {
    schema: definition.schema,
    middleware: definition.middleware,
    openapi: definition.openapi,
    // `handler: withMiddleware(authenticate, …)`: keep what it wraps visible to the route table.
    [kWrappedMiddleware]: wrappedMiddleware(handler),
  });
}

/** What a Web handler made by defineRouteHandler receives beside the request: params, and the validated query and body. */
export interface RouteHandlerContext<S extends RouteSchema> {
  /** The route's params, as Next gives them: a promise (undefined on a static route). */
  params?: Promise<Record<string, string | string[]>>;
  query: Parsed<S["query"], Record<string, string | string[]>>;
  body: Parsed<S["body"], undefined>;
}

export interface RouteHandlerDefinition<S extends RouteSchema> {
  schema?: S;
  /** Runs after the file's and folders' middleware, before validation. */
  middleware?: AnyMiddleware[];
  openapi?: OpenApiMetadata;
  handler: (request: NextRequest, context: RouteHandlerContext<S>) => Response | Promise<Response>;
}

/** An app-router method export that carries its schema and middleware for the loader to find. */
export type DefinedRouteHandler<S extends RouteSchema = RouteSchema> = ((
  request: NextRequest,
  context: RouteHandlerContext<S>,
) => Response | Promise<Response>) & {
  schema?: S;
  middleware?: AnyMiddleware[];
  openapi?: OpenApiMetadata;
};

/**
 * defineRoute for app-router route handlers (`app/**\/route.ts`): the query and body are
 * validated before the handler runs (400 `{"message":"Invalid request","issues":[…]}`
 * otherwise) and arrive typed in its context; `request.json()` still reads the same body.
 *
 * @example
 * export const POST = defineRouteHandler({
 *   schema: { body: z.object({ name: z.string() }) },
 *   handler: async (request, { body }) => Response.json({ hello: body.name }, { status: 201 }),
 * });
 */
export function defineRouteHandler<S extends RouteSchema>(
  definition: RouteHandlerDefinition<S>,
): DefinedRouteHandler<S> {
  const handler = definition.handler;
  return Object.assign(
    (request: NextRequest, context: RouteHandlerContext<S>) => handler(request, context),
    {
      schema: definition.schema,
      middleware: definition.middleware,
      openapi: definition.openapi,
    },
  );
}
