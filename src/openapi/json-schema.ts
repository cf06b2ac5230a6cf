import type { z } from "zod";
import { zod } from "../validation/zod";

/** A JSON Schema (2020-12, as OpenAPI 3.1 uses it) as plain data. */
export type JsonSchema = { [key: string]: unknown };

const COMPONENT_REF = "#/components/schemas/";

/** A `z.date()` crosses the wire as JSON does it: `Date#toJSON`'s ISO string. */
function describeDates(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def;
  if (def?.type !== "date") return;
  ctx.jsonSchema.type = "string";
  ctx.jsonSchema.format = "date-time";
}

function rewriteRefs(value: unknown, refs: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, refs));
  if (typeof value !== "object" || value === null) return value;
  return rewriteSchema(value, refs);
}

function rewriteSchema(value: object, refs: ReadonlyMap<string, string>): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      key === "$ref" && typeof item === "string" && refs.has(item)
        ? refs.get(item)
        : rewriteRefs(item, refs);
  }
  return out;
}

function refersToRoot(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(
    ([key, item]) => (key === "$ref" && item === "#") || refersToRoot(item),
  );
}

/**
 * zod → JSON Schema for one OpenAPI document, with zod 4's own `z.toJSONSchema`. A converted
 * schema's `$defs` (schemas with `.meta({ id })`, recursive ones) would be resolved against the
 * document's root in OpenAPI, so they move to `components.schemas`: one name per distinct schema,
 * so a `.meta({ id: "User" })` schema used by ten routes is one `User` component.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /** `base`, or `base2`, `base3`, … : the first name neither taken nor in `reserved`. */
  private freshName(base: string, reserved: ReadonlySet<string>): string {
    const clean = base.replace(/[^A-Za-z0-9._-]/g, "_") || "Schema";
    for (let n = 1; ; n++) {
      const name = n === 1 ? clean : `${clean}${n}`;
      if (this.schemas[name] === undefined && !reserved.has(name)) return name;
    }
  }

  /** Adds a ready-made schema as `name` (or `name2`, … when another schema has that name); its `$ref`. */
  add(name: string, schema: JsonSchema): string {
    const existing = this.schemas[name];
    const final =
      existing !== undefined && JSON.stringify(existing) === JSON.stringify(schema)
        ? name
        : this.freshName(name, new Set());
    this.schemas[final] = schema;
    return COMPONENT_REF + final;
  }

  /**
   * The JSON Schema of what `schema` accepts (`input`: requests, before coercion and defaults) or
   * produces (`output`: responses). `hint` names its extracted parts, e.g. `postApiUsersBody`.
   */
  convert(schema: z.ZodType, io: "input" | "output", hint: string): JsonSchema {
    let json: JsonSchema;
    try {
      json = zod().toJSONSchema(schema, {
        io,
        unrepresentable: "any",
        target: "draft-2020-12",
        override: describeDates,
      }) as JsonSchema;
    } catch {
      // A zod 3 schema, or one zod cannot describe: say so rather than stop start-up.
      return { description: "This schema cannot be described in JSON Schema." };
    }
    const { $schema: _dialect, $defs, ...root } = json;
    const defs = Object.entries(($defs ?? {}) as Record<string, JsonSchema>);
    const reserved = new Set<string>();
    const reserve = (base: string) => {
      const name = this.freshName(base, reserved);
      reserved.add(name);
      return name;
    };
    // A `.meta({ id })` keeps its id when that component is free or holds this very schema.
    const names = new Map(
      defs.map(([id], i) => [
        id,
        id.startsWith("__") ? reserve(`${hint}${i + 1}`) : id.replace(/[^A-Za-z0-9._-]/g, "_"),
      ]),
    );
    const nameOf = (id: string): string => {
      const name = names.get(id);
      if (name === undefined) throw new Error(`no component name for $defs/${id}`);
      return name;
    };
    const self =
      refersToRoot(root) || defs.some(([, def]) => refersToRoot(def)) ? reserve(hint) : undefined;
    const refMap = () =>
      new Map<string, string>([
        ...[...names].map(([id, name]): [string, string] => [
          `#/$defs/${id}`,
          COMPONENT_REF + name,
        ]),
        ...(self ? [["#", COMPONENT_REF + self] satisfies [string, string]] : []),
      ]);
    for (let settled = false; !settled;) {
      settled = true;
      const refs = refMap();
      for (const [id, def] of defs) {
        const existing = this.schemas[nameOf(id)];
        if (
          existing !== undefined &&
          JSON.stringify(existing) !== JSON.stringify(rewriteSchema(def, refs))
        ) {
          names.set(id, reserve(nameOf(id)));
          settled = false;
          break;
        }
      }
    }
    const refs = refMap();
    for (const [id, def] of defs) this.schemas[nameOf(id)] ??= rewriteSchema(def, refs);
    const body = rewriteSchema(root, refs);
    if (self === undefined) return body;
    this.schemas[self] = body;
    return { $ref: COMPONENT_REF + self };
  }

  /** The schema a `$ref` made by convert() points to. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    return typeof ref === "string" && ref.startsWith(COMPONENT_REF)
      ? (this.schemas[ref.slice(COMPONENT_REF.length)] ?? {})
      : schema;
  }
}
