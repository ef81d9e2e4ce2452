/**
 * Reading a JSON Schema (as the engine serves each action type's config, from zod's
 * `toJSONSchema`) into form fields, and a submitted form back into JSON. The server validates;
 * this only shapes input, so a value it cannot convert is passed on as typed and the API's error
 * names the field.
 */

/** A JSON Schema object (draft 2020-12 subset). Served by the engine: treated as untrusted data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One form control derived from a schema property. */
export type FieldSpec =
  | ScalarField<'string'>
  | ScalarField<'number'>
  | ScalarField<'integer'>
  | ScalarField<'boolean'>
  | (FieldBase & { readonly kind: 'enum'; readonly options: readonly (string | number)[] })
  | (FieldBase & { readonly kind: 'string-array' })
  | (FieldBase & { readonly kind: 'object'; readonly fields: readonly FieldSpec[] })
  | (FieldBase & { readonly kind: 'json' });

interface FieldBase {
  /** Dotted path, also the input's `name` and the key of API errors (`config.url`). */
  readonly path: string;
  /** Property name, or the schema's `title`. */
  readonly label: string;
  readonly description: string | null;
  readonly required: boolean;
  readonly defaultValue: unknown;
}

type ScalarField<K extends 'string' | 'number' | 'integer' | 'boolean'> = FieldBase & { readonly kind: K };

/** What {@link formToValue} reads: a `FormData` or anything with the same getters. */
export interface FormLike {
  get(name: string): FormDataEntryValue | null;
  getAll(name: string): FormDataEntryValue[];
}

/** Nesting deeper than this is shown as a JSON box (a hostile schema could recurse forever through `$ref`). */
const MAX_DEPTH = 6;

/** The fields of an object schema, each named `${prefix}.${property}`. */
export function describeFields(schema: JsonSchema, prefix: string, depth = 0): FieldSpec[] {
  const properties = record(schema['properties']);
  if (!properties) return [];
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(properties).map(([key, value]) => describeField(record(value) ?? {}, `${prefix}.${key}`, key, required.has(key), depth));
}

function describeField(raw: JsonSchema, path: string, key: string, required: boolean, depth: number): FieldSpec {
  const schema = unwrapNullable(raw);
  const base: FieldBase = {
    path,
    label: typeof schema['title'] === 'string' ? schema['title'] : key,
    description: typeof schema['description'] === 'string' ? schema['description'] : typeof raw['description'] === 'string' ? raw['description'] : null,
    required,
    defaultValue: 'default' in raw ? raw['default'] : schema['default'],
  };
  const options = enumOptions(schema);
  if (options) return { ...base, kind: 'enum', options };
  const type = typeOf(schema);
  switch (type) {
    case 'string':
    case 'number':
    case 'integer':
    case 'boolean':
      return { ...base, kind: type };
    case 'array': {
      const items = record(schema['items']);
      return items && typeOf(unwrapNullable(items)) === 'string' && !enumOptions(items) ? { ...base, kind: 'string-array' } : { ...base, kind: 'json' };
    }
    case 'object':
      if (depth >= MAX_DEPTH || !record(schema['properties'])) return { ...base, kind: 'json' };
      return { ...base, kind: 'object', fields: describeFields(schema, path, depth + 1) };
    default:
      return { ...base, kind: 'json' };
  }
}

/** `anyOf: [X, {type: 'null'}]` (zod's `.nullable()`) → X. */
function unwrapNullable(schema: JsonSchema): JsonSchema {
  for (const key of ['anyOf', 'oneOf']) {
    const variants = schema[key];
    if (!Array.isArray(variants)) continue;
    const nonNull = variants.map(record).filter((v): v is JsonSchema => v !== null && v['type'] !== 'null');
    if (nonNull.length === 1) return { ...nonNull[0], ...withoutKey(schema, key) };
  }
  return schema;
}

function typeOf(schema: JsonSchema): string | null {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    return nonNull.length === 1 && typeof nonNull[0] === 'string' ? nonNull[0] : null;
  }
  if (record(schema['properties'])) return 'object';
  return null;
}

function enumOptions(schema: JsonSchema): (string | number)[] | null {
  const values = Array.isArray(schema['enum']) ? schema['enum'] : Array.isArray(schema['oneOf']) ? constsOf(schema['oneOf']) : null;
  if (!values || values.length === 0) return null;
  const options = values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  return options.length === values.length ? options : null;
}

function constsOf(variants: unknown[]): unknown[] | null {
  const consts = variants.map((v) => record(v)?.['const']);
  return consts.every((c) => c !== undefined) ? consts : null;
}

// ---------------------------------------------------------------------------
// Form → JSON.

/**
 * Builds the JSON object a form describes. Empty optional inputs are left out (the server applies
 * its defaults); a number that does not parse is kept as text so the API names the field.
 */
export function formToValue(fields: readonly FieldSpec[], form: FormLike): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const key = field.path.slice(field.path.lastIndexOf('.') + 1);
    const value = fieldValue(field, form);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function fieldValue(field: FieldSpec, form: FormLike): unknown {
  if (field.kind === 'boolean') return form.get(field.path) !== null;
  if (field.kind === 'object') {
    // An optional group left entirely blank is omitted, even if it has required members.
    if (!field.required && !hasInput(field.fields, form)) return undefined;
    return formToValue(field.fields, form);
  }
  const raw = form.get(field.path);
  const text = typeof raw === 'string' ? raw : '';
  if (text.trim() === '') return field.kind === 'string' && field.required ? '' : undefined;
  switch (field.kind) {
    case 'string':
      return text;
    case 'number':
    case 'integer': {
      const n = Number(text.trim());
      return Number.isFinite(n) ? n : text;
    }
    case 'enum': {
      const match = field.options.find((option) => String(option) === text);
      return match ?? text;
    }
    case 'string-array':
      return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '');
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    default:
      return assertNever(field);
  }
}

function hasInput(fields: readonly FieldSpec[], form: FormLike): boolean {
  return fields.some((field) => {
    if (field.kind === 'object') return hasInput(field.fields, form);
    const raw = form.get(field.path);
    return field.kind === 'boolean' ? raw !== null : typeof raw === 'string' && raw.trim() !== '';
  });
}

// ---------------------------------------------------------------------------
// Values and errors.

/** The value at a dotted path of `values` (`config.auth.user`), ignoring the first segment when `values` is the inner object. */
export function valueAt(values: unknown, path: string): unknown {
  let current: unknown = values;
  for (const segment of path.split('.')) {
    const object = record(current);
    if (!object || !Object.hasOwn(object, segment)) return undefined;
    current = object[segment];
  }
  return current;
}

/** What an input shows at first: the submitted or stored value, else the schema default. */
export function initialText(field: FieldSpec, values: unknown): string {
  const value = valueAt(values, field.path) ?? field.defaultValue;
  if (value === undefined || value === null) return '';
  if (field.kind === 'string-array' && Array.isArray(value)) return value.map(String).join('\n');
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Groups API validation lines (`config.url: must be a URL`) by field path. A line without a
 * recognisable path, or one about the whole object, lands under `''` (shown above the form).
 */
export function errorsByPath(lines: readonly string[]): ReadonlyMap<string, readonly string[]> {
  const map = new Map<string, string[]>();
  for (const line of lines) {
    const match = /^([\w$-]+(?:\.[\w$-]+|\[\d+\])*): (.+)$/s.exec(line.trim());
    // `items[2]` and `items.2` both belong to the field `items`.
    const path = match ? match[1]!.replace(/\[(\d+)\]/g, '.$1') : '';
    const message = match ? match[2]! : line.trim();
    map.set(path, [...(map.get(path) ?? []), message]);
  }
  return map;
}

/** Errors for one field: its own path and any path below it that is not a field itself (`config.tags.2`). */
export function errorsFor(field: FieldSpec, errors: ReadonlyMap<string, readonly string[]>): string[] {
  if (field.kind === 'object') return [...(errors.get(field.path) ?? [])];
  const out: string[] = [];
  for (const [path, messages] of errors) {
    if (path === field.path) out.push(...messages);
    else if (path.startsWith(`${field.path}.`)) out.push(...messages.map((m) => `${path.slice(field.path.length + 1)}: ${m}`));
  }
  return out;
}

/** Error lines that match no field: shown in the summary above the form. */
export function unmatchedErrors(fields: readonly FieldSpec[], errors: ReadonlyMap<string, readonly string[]>): string[] {
  // A leaf owns its path and everything below it (`config.tags.2`); an object group only its own path.
  const leaves: string[] = [];
  const groups = new Set<string>();
  const walk = (list: readonly FieldSpec[]): void => {
    for (const field of list) {
      if (field.kind === 'object') {
        groups.add(field.path);
        walk(field.fields);
      } else leaves.push(field.path);
    }
  };
  walk(fields);
  const out: string[] = [];
  for (const [path, messages] of errors) {
    const owned = groups.has(path) || leaves.some((leaf) => path === leaf || path.startsWith(`${leaf}.`));
    if (!owned) out.push(...messages.map((m) => (path ? `${path}: ${m}` : m)));
  }
  return out;
}

/** An id safe for `id`/`aria-describedby` from a field path. */
export function fieldId(path: string): string {
  return `field-${path.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function record(value: unknown): Readonly<Record<string, unknown>> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function withoutKey(schema: JsonSchema, key: string): JsonSchema {
  const { [key]: _removed, ...rest } = schema;
  return rest;
}

function assertNever(value: never): never {
  throw new Error(`unexpected field ${JSON.stringify(value)}`);
}
