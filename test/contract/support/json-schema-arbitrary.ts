import fc from 'fast-check';

/**
 * fast-check arbitraries for the JSON Schemas of an OpenAPI 3.1 document:
 * values that satisfy a schema (valid requests), and named ways to break one
 * (invalid requests). Covers what the generated documents use: type, enum,
 * const, pattern, format (uuid, date-time, uri, email, ipv4, ipv6),
 * min/max(Length/Items/imum), properties/required/additionalProperties,
 * propertyNames, items, anyOf/oneOf, and local $ref.
 */

export type JsonSchema = Record<string, unknown>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Resolves local `$ref`s against the document. */
export function resolveRef(document: JsonSchema, schema: unknown, depth = 0): JsonSchema {
  if (typeof schema !== 'object' || schema === null) return {};
  const ref = (schema as JsonSchema)['$ref'];
  if (typeof ref !== 'string' || depth > 16) return schema as JsonSchema;
  let target: unknown = document;
  for (const part of ref.replace(/^#\//, '').split('/')) target = (target as JsonSchema | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return resolveRef(document, target, depth + 1);
}

function typesOf(schema: JsonSchema): string[] {
  const type = schema['type'];
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type as string[];
  if (schema['properties'] || schema['additionalProperties']) return ['object'];
  return [];
}

/** Event times must lie between 1970 and now (+ skew): stay in the recent past. */
const RECENT = { min: new Date('2020-01-01T00:00:00Z'), max: new Date(Date.now() - 60_000), noInvalidDate: true } as const;

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
  const maxLength = typeof schema['maxLength'] === 'number' ? Math.min(schema['maxLength'], 64) : 24;
  switch (schema['format']) {
    case 'uuid':
      return fc.uuid({ version: [4, 7] });
    case 'date-time':
      return fc.date(RECENT).map((date) => date.toISOString());
    case 'uri':
      return fc.constantFrom('https://example.com/', 'https://status.example.org/health', 'http://127.0.0.1:9/never');
    case 'email':
      return fc.constantFrom('ops@example.com', 'a.b@example.org');
    case 'ipv4':
      return fc.ipV4();
    case 'ipv6':
      return fc.ipV6();
    default:
      break;
  }
  if (typeof schema['pattern'] === 'string') {
    try {
      const pattern = new RegExp(schema['pattern']);
      return fc
        .stringMatching(pattern)
        .filter((value) => value.length >= minLength && (typeof schema['maxLength'] !== 'number' || value.length <= schema['maxLength']))
        .map((value) => value);
    } catch {
      // An expression fast-check cannot invert: fall back to plain text.
    }
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, maxLength), unit: 'grapheme-ascii' });
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    typeof schema['minimum'] === 'number' ? schema['minimum'] : typeof schema['exclusiveMinimum'] === 'number' ? schema['exclusiveMinimum'] + 1 : -1000;
  const max =
    typeof schema['maximum'] === 'number' ? schema['maximum'] : typeof schema['exclusiveMaximum'] === 'number' ? schema['exclusiveMaximum'] - 1 : 1_000_000;
  const lo = Math.max(min, Number.MIN_SAFE_INTEGER);
  const hi = Math.min(max, Number.MAX_SAFE_INTEGER);
  if (integer) return fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) });
  return fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
}

/** Values that satisfy `schema` (best effort: the server is the judge; a valid-looking value it refuses must still be a 4xx). */
export function valueArbitrary(document: JsonSchema, raw: unknown, depth = 0): fc.Arbitrary<Json> {
  const schema = resolveRef(document, raw);
  if ('const' in schema) return fc.constant(schema['const'] as Json);
  if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as Json[]));
  const variants = (schema['anyOf'] ?? schema['oneOf']) as unknown[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) {
    // `{}` and a bare `{type: string}` next to a constrained variant (a Date's documented form beside the ISO pattern) say nothing: draw from the others.
    const said = variants.filter((variant) => Object.keys(resolveRef(document, variant)).length > 0);
    const constrained = said.filter((variant) => JSON.stringify(resolveRef(document, variant)) !== '{"type":"string"}');
    const usable = constrained.length > 0 ? constrained : said;
    return fc.oneof(...(usable.length > 0 ? usable : variants).map((variant) => valueArbitrary(document, variant, depth + 1)));
  }
  const types = typesOf(schema);
  if (types.length > 1) return fc.oneof(...types.map((type) => valueArbitrary(document, { ...schema, type }, depth + 1)));
  const type = types[0];
  if (depth > 6) return fc.constant(null);
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return numberArbitrary(schema, true);
    case 'number':
      return numberArbitrary(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      const maxLength = Math.max(minLength, Math.min(typeof schema['maxItems'] === 'number' ? schema['maxItems'] : 3, 3));
      return fc.array(valueArbitrary(document, schema['items'] ?? {}, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(document, schema, depth);
    default:
      return fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean());
  }
}

function objectArbitrary(document: JsonSchema, schema: JsonSchema, depth: number): fc.Arbitrary<Json> {
  const properties = (schema['properties'] ?? {}) as Record<string, unknown>;
  const required = new Set((schema['required'] ?? []) as string[]);
  const names = Object.keys(properties);
  if (names.length === 0 && typeof schema['additionalProperties'] === 'object') {
    // A record: a few keys named by propertyNames.
    const key = schema['propertyNames']
      ? (valueArbitrary(document, schema['propertyNames'], depth + 1) as fc.Arbitrary<string>)
      : fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
    return fc.dictionary(key, valueArbitrary(document, schema['additionalProperties'], depth + 1), { maxKeys: 3 }) as fc.Arbitrary<Json>;
  }
  const record: Record<string, fc.Arbitrary<Json>> = {};
  for (const name of names) record[name] = valueArbitrary(document, properties[name], depth + 1);
  return fc.record(record, { requiredKeys: names.filter((name) => required.has(name)) }) as fc.Arbitrary<Json>;
}

/** One way to break a value: what was done, where (a field path or ''), and the broken value. */
export interface Mutation {
  readonly kind: string;
  readonly field: string;
  readonly value: Json | undefined;
  /** The broken value is invalid whatever the server's extra rules (a value at an edge, e.g. year 0, may be accepted). */
  readonly certain: boolean;
}

/** A value whose JSON type differs from every type the schema allows. */
function wrongTypeValue(schema: JsonSchema): Json {
  const types = new Set(typesOf(schema));
  if (Array.isArray(schema['enum']) || 'const' in schema) types.add('string');
  if (!types.has('object')) return { unexpected: ['object'] };
  if (!types.has('string')) return 'not-a-number';
  if (!types.has('integer') && !types.has('number')) return 123456;
  if (!types.has('array')) return ['x'];
  return true;
}

/** Breaks of one schema position: the value itself (no descent). */
function breaksOf(schema: JsonSchema): Array<Omit<Mutation, 'field'>> {
  const out: Array<Omit<Mutation, 'field' | 'certain'> & { certain?: boolean }> = [{ kind: 'wrong type', value: wrongTypeValue(schema) }];
  const types = typesOf(schema);
  if (Array.isArray(schema['enum']) || ('const' in schema && typeof schema['const'] === 'string'))
    out.push({ kind: 'unknown enum value', value: 'no-such-value-\u00e9' });
  if (typeof schema['maximum'] === 'number' && schema['maximum'] < Number.MAX_SAFE_INTEGER) out.push({ kind: 'above maximum', value: schema['maximum'] + 1 });
  if (typeof schema['minimum'] === 'number' && schema['minimum'] > Number.MIN_SAFE_INTEGER) out.push({ kind: 'below minimum', value: schema['minimum'] - 1 });
  if (types.includes('integer')) out.push({ kind: 'fraction for an integer', value: 1.5 });
  if (typeof schema['maxLength'] === 'number') out.push({ kind: 'longer than maxLength', value: 'a'.repeat(schema['maxLength'] + 1) });
  if (types.includes('string'))
    out.push({
      kind: 'huge string (100 KB)',
      value: 'x'.repeat(100_000),
      certain: typeof schema['maxLength'] === 'number' || typeof schema['pattern'] === 'string',
    });
  const variants = ((schema['anyOf'] ?? schema['oneOf'] ?? []) as JsonSchema[]).concat([schema]);
  if (variants.some((variant) => variant['format'] === 'date-time')) {
    // Valid ISO-8601 shapes at the edges of what a Date or PostgreSQL holds.
    out.push(
      { kind: 'date-time year 0', value: '0000-01-01T00:00:00Z', certain: false },
      { kind: 'date-time year 9999', value: '9999-12-31T23:59:59Z', certain: false },
      { kind: 'date-time Feb 30', value: '2026-02-30T00:00:00Z' },
    );
  }
  if (typeof schema['pattern'] === 'string' && !types.includes('null')) out.push({ kind: 'pattern broken (control chars)', value: '\u0000\u0007 \n<script>' });
  if (typeof schema['minItems'] === 'number' && schema['minItems'] > 0) out.push({ kind: 'fewer than minItems', value: [] });
  return out.map((br) => ({ ...br, certain: br.certain ?? true }));
}

const set = (target: Json | undefined, path: readonly string[], value: Json | undefined): Json | undefined => {
  if (path.length === 0) return value;
  const base = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  const [head, ...rest] = path as [string, ...string[]];
  const next = set(base[head], rest, value);
  if (next === undefined) delete base[head];
  else base[head] = next;
  return base;
};

/**
 * Named breaks of a valid object body (or query): each required field
 * removed, each field given a wrong type, an out-of-range, unknown-enum,
 * too-long or pattern-breaking value, and an unknown key on a strict object
 * — one level of nesting deep. `field` is the dotted path broken.
 */
export function objectMutations(document: JsonSchema, raw: unknown, valid: Json, prefix: string[] = [], depth = 0): Array<Mutation> {
  const schema = resolveRef(document, raw);
  const out: Mutation[] = [];
  const properties = (schema['properties'] ?? {}) as Record<string, unknown>;
  const required = new Set((schema['required'] ?? []) as string[]);
  const dotted = (path: string[]): string => path.join('.');
  for (const [name, child] of Object.entries(properties)) {
    const path = [...prefix, name];
    if (required.has(name)) out.push({ kind: 'required field missing', field: dotted(path), value: set(valid, path, undefined), certain: true });
    for (const br of breaksOf(resolveRef(document, child))) out.push({ ...br, field: dotted(path), value: set(valid, path, br.value) });
    const resolved = resolveRef(document, child);
    const current = (prefix.length === 0 ? valid : undefined) as Record<string, Json> | undefined;
    if (depth < 1 && resolved['properties'] && current && typeof current === 'object' && typeof current[name] === 'object' && current[name] !== null) {
      out.push(...objectMutations(document, resolved, valid, path, depth + 1));
    }
  }
  if (schema['additionalProperties'] === false)
    out.push({
      kind: 'unknown key on a strict object',
      field: dotted([...prefix, 'zz_unknown_field']),
      value: set(valid, [...prefix, 'zz_unknown_field'], 1),
      certain: true,
    });
  return out;
}
