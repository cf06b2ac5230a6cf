import { printSchema } from "../../src/client/json-schema-to-ts";

const names = (ref: string) => (ref === "#/components/schemas/User" ? "User" : undefined);
const print = (schema: Record<string, unknown>) => printSchema(schema, names).replace(/\s+/g, " ");

describe("printSchema", () => {
  it.each([
    [{ type: "string" }, "string"],
    [{ type: "integer" }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: ["string", "null"] }, "string | null"],
    [{ type: "string", format: "date-time" }, "string"],
    [{ type: "string", format: "binary", contentEncoding: "binary" }, "Blob"],
    [{ const: "a" }, '"a"'],
    [{ enum: ["a", 1, null] }, '"a" | 1 | null'],
    [{ type: "array", items: { type: "number" } }, "number[]"],
    [{ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } }, "Array<string | number>"],
    [{ type: "array", prefixItems: [{ type: "string" }, { type: "number" }] }, "[string, number]"],
    [{ $ref: "#/components/schemas/User" }, "User"],
    [{ $ref: "#/somewhere/else" }, "unknown"],
    [{ anyOf: [{ type: "string" }, { type: "null" }] }, "string | null"],
    [{ oneOf: [{ type: "string" }, {}] }, "unknown"],
    [{ allOf: [{ $ref: "#/components/schemas/User" }, { type: "object", properties: { a: { type: "string" } }, required: ["a"] }] }, "User & { a: string; }"],
    [{ type: "object", properties: { id: { type: "integer" }, "a-b": { type: "string" } }, required: ["id"] }, '{ id: number; "a-b"?: string; }'],
    [{ type: "object", additionalProperties: { type: "number" } }, "{ [key: string]: number; }"],
    [{ type: "object" }, "Record<string, unknown>"],
    [{ type: "object", properties: {} }, "{}"],
    [{}, "unknown"],
    // Whatever a future zod or another helper's schema emits: unknown, never a crash.
    [{ not: { type: "string" } }, "unknown"],
    [{ type: "file" }, "unknown"],
    [{ type: "object", properties: { f: { type: "custom-kind" } }, required: ["f"] }, "{ f: unknown; }"],
  ])("%j → %s", (schema, type) => expect(print(schema)).toBe(type));

  it("writes a property's description as its doc comment, closing comments escaped", () => {
    const text = printSchema(
      { type: "object", properties: { n: { type: "number", description: "Per page */ at most" } } },
      names,
    );
    expect(text).toContain("/** Per page *\\/ at most */");
  });
});
