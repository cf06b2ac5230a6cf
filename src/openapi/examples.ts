import type { z } from "zod";
import type { JsonSchema, SchemaComponents } from "./json-schema";

const MAX_DEPTH = 8;

const FORMATS: Record<string, string> = {
  email: "user@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  uuid: "3fa85f64-5717-4562-b3fc-2c963f66afa6",
  "date-time": "2024-01-01T00:00:00Z",
  date: "2024-01-01",
  time: "12:00:00",
  ipv4: "192.0.2.1",
  ipv6: "2001:db8::1",
  hostname: "example.com",
};

function exampleString(schema: JsonSchema): string {
  const format = typeof schema.format === "string" ? FORMATS[schema.format] : undefined;
  if (format !== undefined) return format;
  const min = typeof schema.minLength === "number" ? schema.minLength : 0;
  const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
  const text = "example".padEnd(min, "x");
  return text.slice(0, Math.max(min, Math.min(text.length, max)));
}

function exampleNumber(schema: JsonSchema, integer: boolean): number {
  const num = (key: string) => {
    const value = schema[key];
    return typeof value === "number" ? value : undefined;
  };
  const exclusiveMinimum = num("exclusiveMinimum");
  const exclusiveMaximum = num("exclusiveMaximum");
  const low = num("minimum") ?? (exclusiveMinimum !== undefined ? exclusiveMinimum + 1 : undefined);
  const high =
    num("maximum") ?? (exclusiveMaximum !== undefined ? exclusiveMaximum - 1 : undefined);
  let value = low ?? (high !== undefined ? Math.min(high, 1) : 1);
  const step = num("multipleOf");
  if (step) value = Math.ceil(value / step) * step;
  return integer ? Math.ceil(value) : value;
}

/** A value for `schema`: its own example, default, const or first enum value, else one built from its type. */
function build(schema: JsonSchema, components: SchemaComponents, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  if (schema.$ref !== undefined) return build(components.resolve(schema), components, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["anyOf", "oneOf"]) {
    const branches = schema[key];
    if (Array.isArray(branches) && branches.length > 0)
      return build(branches[0] as JsonSchema, components, depth + 1);
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) => build(part as JsonSchema, components, depth + 1));
    return parts.every((p) => typeof p === "object" && p !== null && !Array.isArray(p))
      ? Object.assign({}, ...parts)
      : parts[0];
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== "null") ?? (schema.properties ? "object" : undefined);
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [key, property] of Object.entries(
        (schema.properties ?? {}) as Record<string, JsonSchema>,
      )) {
        const value = build(property, components, depth + 1);
        if (value !== undefined) out[key] = value;
      }
      return out;
    }
    case "array": {
      const item = schema.items
        ? build(schema.items as JsonSchema, components, depth + 1)
        : undefined;
      const count = typeof schema.minItems === "number" ? Math.max(1, schema.minItems) : 1;
      return item === undefined ? [] : Array.from({ length: count }, () => item);
    }
    case "string":
      return exampleString(schema);
    case "integer":
    case "number":
      return exampleNumber(schema, type === "integer");
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return undefined;
  }
}

/** True when `zodSchema` accepts `value` (a schema with async checks accepts nothing here). */
export function isValidExample(zodSchema: z.ZodType, value: unknown): boolean {
  try {
    return zodSchema.safeParse(value).success;
  } catch {
    return false;
  }
}

/**
 * An example for a request or response part, built from its JSON Schema and kept only if the zod
 * schema itself accepts it: a body that Postman sends must pass the route's validation.
 */
export function exampleFor(
  zodSchema: z.ZodType,
  schema: JsonSchema,
  components: SchemaComponents,
): unknown {
  const value = build(schema, components, 0);
  return value !== undefined && isValidExample(zodSchema, value) ? value : undefined;
}
