import fc from "fast-check";

/** A JSON Schema (2020-12 subset, as an OpenAPI 3.1 document publishes it). */
export type JsonSchema = { [keyword: string]: unknown };

/**
 * Resolves `#/components/schemas/…` references against one OpenAPI document, checks values against its schemas
 * and generates values from them. `hints` are values worth trying for properties of a given name (ids that
 * exist, a real time zone), so generated requests reach past "not found" often enough.
 */
export class SchemaDocument {
  constructor(
    private readonly doc: { components?: { schemas?: Record<string, JsonSchema> } },
    private readonly hints: Record<string, readonly unknown[]> = {},
  ) {}

  /** `schema` with its `$ref` (if any) followed, repeatedly. */
  resolve(schema: JsonSchema): JsonSchema {
    let current = schema;
    for (let hops = 0; typeof current.$ref === "string"; hops++) {
      if (hops > 20) throw new Error(`reference loop at ${current.$ref}`);
      const name = current.$ref.replace("#/components/schemas/", "");
      const target = this.doc.components?.schemas?.[name];
      if (!target) throw new Error(`unresolvable ${current.$ref}`);
      const { $ref: _, ...siblings } = current;
      current = { ...target, ...siblings };
    }
    return current;
  }

  /**
   * Where `value` breaks `schema`, one line per problem (empty when it conforms). Covers the keywords Herald's
   * document uses: type, enum, const, the string, number, array and object bounds, pattern, allOf/anyOf/oneOf.
   */
  errors(schema: JsonSchema, value: unknown, at = "(body)"): string[] {
    const s = this.resolve(schema);
    const out: string[] = [];
    if (Array.isArray(s.allOf)) for (const part of s.allOf) out.push(...this.errors(part, value, at));
    if (Array.isArray(s.anyOf) && !s.anyOf.some((part) => this.errors(part, value, at).length === 0))
      out.push(`${at}: matches none of anyOf`);
    if (
      Array.isArray(s.oneOf) &&
      s.oneOf.filter((part) => this.errors(part, value, at).length === 0).length !== 1
    )
      out.push(`${at}: does not match exactly one of oneOf`);
    if (Array.isArray(s.enum) && !s.enum.some((v) => Object.is(v, value)))
      out.push(`${at}: ${show(value)} not in enum`);
    if ("const" in s && s.const !== value) out.push(`${at}: ${show(value)} is not ${show(s.const)}`);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => hasType(t, value)))
        return [...out, `${at}: ${show(value)} is not ${types.join(" | ")}`];
    }
    if (typeof value === "string") {
      const length = [...value].length;
      if (typeof s.minLength === "number" && length < s.minLength)
        out.push(`${at}: shorter than ${s.minLength}`);
      if (typeof s.maxLength === "number" && length > s.maxLength)
        out.push(`${at}: longer than ${s.maxLength}`);
      if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(value))
        out.push(`${at}: does not match ${s.pattern}`);
    }
    if (typeof value === "number") {
      if (typeof s.minimum === "number" && value < s.minimum) out.push(`${at}: below ${s.minimum}`);
      if (typeof s.maximum === "number" && value > s.maximum) out.push(`${at}: above ${s.maximum}`);
      if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum)
        out.push(`${at}: not above ${s.exclusiveMinimum}`);
      if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum)
        out.push(`${at}: not below ${s.exclusiveMaximum}`);
    }
    if (Array.isArray(value)) {
      if (typeof s.minItems === "number" && value.length < s.minItems)
        out.push(`${at}: fewer than ${s.minItems} items`);
      if (typeof s.maxItems === "number" && value.length > s.maxItems)
        out.push(`${at}: more than ${s.maxItems} items`);
      const items = s.items;
      if (isSchema(items))
        for (const [i, item] of value.entries()) out.push(...this.errors(items, item, `${at}[${i}]`));
    }
    if (isPlainObject(value)) {
      const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const name of (s.required ?? []) as string[])
        if (!(name in value)) out.push(`${at}.${name}: required`);
      for (const [name, v] of Object.entries(value)) {
        if (properties[name]) out.push(...this.errors(properties[name], v, `${at}.${name}`));
        else if (s.additionalProperties === false) out.push(`${at}.${name}: not allowed`);
        else if (isSchema(s.additionalProperties))
          out.push(...this.errors(s.additionalProperties, v, `${at}.${name}`));
      }
    }
    return out;
  }

  /** Values that conform to `schema` (strings and collections kept short, so requests stay cheap). */
  arbitrary(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (depth > 6) return fc.constant(null);
    if (Array.isArray(s.allOf)) return this.arbitrary(this.merge(s), depth);
    const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (Array.isArray(alternatives))
      return fc.oneof(...alternatives.map((part) => this.arbitrary(part, depth + 1)));
    if (Array.isArray(s.enum)) return fc.constantFrom(...s.enum);
    if ("const" in s) return fc.constant(s.const);
    if (Array.isArray(s.type))
      return fc.oneof(...s.type.map((type) => this.arbitrary({ ...s, type }, depth)));
    switch (s.type) {
      case "string":
        return stringArbitrary(s);
      case "integer":
        return fc.integer({
          min: bound(s.minimum, s.exclusiveMinimum, 1, -1e9),
          max: bound(s.maximum, s.exclusiveMaximum, -1, 1e9),
        });
      case "number":
        return fc.double({
          min: num(s.minimum, -1e9),
          max: num(s.maximum, 1e9),
          noNaN: true,
          noDefaultInfinity: true,
        });
      case "boolean":
        return fc.boolean();
      case "null":
        return fc.constant(null);
      case "array": {
        const minLength = num(s.minItems, 0);
        const items = isSchema(s.items) ? this.arbitrary(s.items, depth + 1) : fc.jsonValue({ maxDepth: 1 });
        return fc.array(items, {
          minLength,
          maxLength: Math.max(minLength, Math.min(num(s.maxItems, 3), 3)),
        });
      }
      case "object":
      case undefined: {
        if (s.type === undefined && !s.properties) return fc.jsonValue({ maxDepth: 2 });
        const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
        const record = fc.record(
          Object.fromEntries(
            Object.entries(properties).map(([name, p]) => [name, this.property(name, p, depth + 1)]),
          ),
          { requiredKeys: ((s.required ?? []) as string[]).filter((name) => name in properties) },
        );
        if (!isSchema(s.additionalProperties)) return record;
        const extra = fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }),
          this.arbitrary(s.additionalProperties, depth + 1),
          { maxKeys: 3 },
        );
        return fc.tuple(record, extra).map(([known, more]) => ({ ...more, ...known }));
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  }

  /** Values for the property `name`: its hints most of the time, anything its schema allows otherwise. */
  private property(name: string, schema: JsonSchema, depth: number): fc.Arbitrary<unknown> {
    const generated = this.arbitrary(schema, depth);
    const hinted = this.hints[name];
    if (!hinted?.length) return generated;
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...hinted) },
      { weight: 1, arbitrary: generated },
    );
  }

  /** One schema from an `allOf` of objects (Herald's only use: a component extended with more properties). */
  private merge(schema: JsonSchema): JsonSchema {
    const { allOf, ...rest } = schema;
    let merged: JsonSchema = { ...rest };
    for (const part of allOf as JsonSchema[]) {
      const p = this.resolve(part);
      const inner = Array.isArray(p.allOf) ? this.merge(p) : p;
      merged = {
        ...merged,
        ...inner,
        properties: { ...(merged.properties as object), ...(inner.properties as object) },
        required: [...((merged.required as string[]) ?? []), ...((inner.required as string[]) ?? [])],
      };
    }
    if (Object.keys(merged.properties as object).length === 0) delete merged.properties;
    return merged;
  }
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = num(s.minLength, 0);
  const maxLength = Math.max(minLength, Math.min(num(s.maxLength, 24), 24));
  const fits = (v: string) =>
    [...v].length >= num(s.minLength, 0) && [...v].length <= num(s.maxLength, Infinity);
  if (typeof s.pattern === "string") return fc.stringMatching(new RegExp(s.pattern, "u")).filter(fits);
  if (s.format === "uri") return fc.webUrl().filter(fits);
  if (s.format === "email") return fc.emailAddress().filter(fits);
  const examples =
    s.example === undefined ? [] : [s.example].filter((v): v is string => typeof v === "string" && fits(v));
  return fc.oneof(
    { weight: examples.length ? 2 : 0, arbitrary: fc.constantFrom(...(examples.length ? examples : [""])) },
    { weight: 3, arbitrary: fc.string({ minLength, maxLength, unit: "grapheme-ascii" }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: "binary" }) },
  );
}

function bound(inclusive: unknown, exclusive: unknown, step: number, fallback: number): number {
  if (typeof inclusive === "number") return inclusive;
  if (typeof exclusive === "number") return exclusive + step;
  return fallback;
}

const num = (v: unknown, fallback: number) => (typeof v === "number" ? v : fallback);
const isSchema = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);
const isPlainObject = (v: unknown): v is Record<string, unknown> => isSchema(v);
const show = (v: unknown) => JSON.stringify(v)?.slice(0, 60) ?? String(v);

function hasType(type: string, value: unknown): boolean {
  switch (type) {
    case "null":
      return value === null;
    case "integer":
      return Number.isInteger(value);
    case "number":
      return typeof value === "number";
    case "array":
      return Array.isArray(value);
    case "object":
      return isPlainObject(value);
    default:
      return typeof value === type;
  }
}
