import type { JsonSchema } from "../openapi/json-schema";

/** How a `$ref` is written in TypeScript: the type name of the schema it points to. */
export type RefNamer = (ref: string) => string | undefined;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PRIMITIVES: Record<string, string> = {
  string: "string",
  number: "number",
  integer: "number",
  boolean: "boolean",
  null: "null",
};

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `name` as a property key: bare when it is an identifier, else quoted. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function docComment(schema: JsonSchema, pad: string): string {
  const text = typeof schema.description === "string" ? schema.description.trim() : "";
  if (!text) return "";
  return `${pad}/** ${text.replace(/\*\//g, "*\\/").replace(/\s*\n\s*/g, " ")} */\n`;
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  if (unique.includes("unknown")) return "unknown";
  return unique.length === 1 ? unique[0] : unique.map((t) => (t.includes("=>") ? `(${t})` : t)).join(" | ");
}

function printObject(schema: JsonSchema, namer: RefNamer, pad: string): string {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const inner = `${pad}  `;
  const lines = Object.entries(properties).map(([name, property]) => {
    const optional = required.has(name) ? "" : "?";
    const type = isSchema(property) ? printSchema(property, namer, inner) : "unknown";
    const doc = isSchema(property) ? docComment(property, inner) : "";
    return `${doc}${inner}${propertyKey(name)}${optional}: ${type};`;
  });
  const extra = schema.additionalProperties;
  if (isSchema(extra) || (extra === true && lines.length === 0)) {
    const type = isSchema(extra) ? printSchema(extra, namer, inner) : "unknown";
    lines.push(`${inner}[key: string]: ${lines.length > 0 ? "unknown" : type};`);
  } else if (extra === undefined && lines.length === 0 && !isSchema(schema.properties)) {
    return "Record<string, unknown>";
  }
  return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${pad}}`;
}

function printArray(schema: JsonSchema, namer: RefNamer, pad: string): string {
  if (Array.isArray(schema.prefixItems)) {
    const items = schema.prefixItems.map((item) =>
      isSchema(item) ? printSchema(item, namer, pad) : "unknown",
    );
    const rest = isSchema(schema.items) ? `, ...${printSchema(schema.items, namer, pad)}[]` : "";
    return `[${items.join(", ")}${rest}]`;
  }
  const item = isSchema(schema.items) ? printSchema(schema.items, namer, pad) : "unknown";
  return /^[A-Za-z0-9_.<>]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
}

function printType(type: string, schema: JsonSchema, namer: RefNamer, pad: string): string {
  if (type === "object") return printObject(schema, namer, pad);
  if (type === "array") return printArray(schema, namer, pad);
  // A file in a multipart body (z.file()): what the client sends is a Blob or File.
  if (type === "string" && (schema.format === "binary" || schema.contentEncoding === "binary"))
    return "Blob";
  return PRIMITIVES[type] ?? "unknown";
}

/**
 * The TypeScript type of the JSON a schema describes: what crosses the wire, so a date is a
 * `string`. Anything it does not know (a keyword a future zod emits, `not`, `if`) is `unknown`,
 * never an error: the printer stays usable whatever the routes' schemas hold.
 *
 * @example
 * printSchema({ type: "object", properties: { id: { type: "integer" } }, required: ["id"] }, () => undefined);
 * // "{\n  id: number;\n}"
 */
export function printSchema(schema: JsonSchema, namer: RefNamer, pad = ""): string {
  if (typeof schema.$ref === "string") return namer(schema.$ref) ?? "unknown";
  if ("const" in schema) return JSON.stringify(schema.const) ?? "unknown";
  if (Array.isArray(schema.enum)) return union(schema.enum.map((v) => JSON.stringify(v) ?? "unknown"));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) {
    return union(alternatives.map((s) => (isSchema(s) ? printSchema(s, namer, pad) : "unknown")));
  }
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((s) => (isSchema(s) ? printSchema(s, namer, pad) : "unknown"));
    return parts.length === 0 ? "unknown" : parts.join(" & ");
  }
  if (Array.isArray(schema.type)) {
    return union(schema.type.map((t) => printType(String(t), schema, namer, pad)));
  }
  if (typeof schema.type === "string") return printType(schema.type, schema, namer, pad);
  if (isSchema(schema.properties)) return printObject(schema, namer, pad);
  return "unknown";
}
