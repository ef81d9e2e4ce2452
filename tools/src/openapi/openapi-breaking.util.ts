/**
 * Breaking changes between two versions of an OpenAPI 3.1 document, seen
 * from a client written against the older one. Requests must stay
 * acceptable (the server may accept more, never less) and responses must stay
 * readable (the server may send less variety, never more, and never drop
 * what it promised). Pure: works on the JSON documents, resolving local
 * `$ref`s, so the committed document of the last commit can be compared with
 * the one generated from the code.
 */

/** A JSON value of an OpenAPI document. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The rules a change can break; each has a named case in the spec. */
export const BREAKING_RULES = [
  'operation-removed',
  'operation-now-authenticated',
  'status-removed',
  'response-media-type-removed',
  'response-property-removed',
  'response-property-now-optional',
  'response-type-widened',
  'request-body-now-required',
  'request-media-type-removed',
  'request-field-now-required',
  'request-field-removed',
  'parameter-now-required',
  'parameter-removed',
  'enum-narrowed',
  'constraint-narrowed',
  'union-member-removed',
  'type-changed',
] as const;
export type BreakingRule = (typeof BREAKING_RULES)[number];

/** One breaking change: the operation (`GET /v1/x`), the rule and where. */
export interface BreakingChange {
  readonly operation: string;
  readonly rule: BreakingRule;
  /** Where in the operation, e.g. `request body.metadata.policy_id`, `response 200.items[].name`, `query limit`. */
  readonly where: string;
  readonly detail: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows local `$ref`s (`#/components/...`) until a schema without one; a cycle stops at the last object. */
function resolve(document: JsonObject, value: Json | undefined, seen: Set<string> = new Set()): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const ref = value['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return value;
  if (seen.has(ref)) return undefined;
  seen.add(ref);
  let target: Json | undefined = document;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    target = isObject(target) ? target[key] : undefined;
  }
  return resolve(document, target, seen);
}

/** The JSON types a schema admits (a union: its members' types), or undefined when it does not say (`{}`). */
function typesOf(document: JsonObject, schema: JsonObject, depth = 0): Set<string> | undefined {
  const variants = variantsOf(schema);
  if (variants && depth < 8) {
    const all = new Set<string>();
    for (const variant of variants) {
      const resolved = resolve(document, variant);
      const types = resolved ? typesOf(document, resolved, depth + 1) : undefined;
      if (!types) return undefined;
      for (const t of types) all.add(t);
    }
    return all;
  }
  const type = schema['type'];
  if (typeof type === 'string') return new Set([type]);
  if (Array.isArray(type)) return new Set(type.filter((t): t is string => typeof t === 'string'));
  if ('const' in schema) return new Set([schema['const'] === null ? 'null' : Array.isArray(schema['const']) ? 'array' : typeof schema['const']]);
  return undefined;
}

/** `integer` is a subset of `number`: a request that took any number still takes integers. */
function admits(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function enumOf(schema: JsonObject): Json[] | undefined {
  if (Array.isArray(schema['enum'])) return schema['enum'];
  if ('const' in schema) return [schema['const'] as Json];
  return undefined;
}

function variantsOf(schema: JsonObject): JsonObject[] | undefined {
  const list = schema['oneOf'] ?? schema['anyOf'];
  return Array.isArray(list) ? list.filter(isObject) : undefined;
}

function requiredOf(schema: JsonObject): Set<string> {
  return new Set(Array.isArray(schema['required']) ? schema['required'].filter((k): k is string => typeof k === 'string') : []);
}

function propertiesOf(schema: JsonObject): JsonObject {
  return isObject(schema['properties']) ? schema['properties'] : {};
}

/** The key pairing union variants across versions: the value of a property fixed by `const` (a discriminator), else the position. */
function variantKey(document: JsonObject, variant: JsonObject, index: number): string {
  const resolved = resolve(document, variant) ?? variant;
  for (const [name, property] of Object.entries(propertiesOf(resolved)).sort(([a], [b]) => a.localeCompare(b))) {
    const p = resolve(document, property);
    if (p && 'const' in p) return `${name}=${JSON.stringify(p['const'])}`;
  }
  if (typeof variant['$ref'] === 'string') return variant['$ref'];
  return `#${index}`;
}

/** The member of a union whose types meet `types` (the same shape across a `T` ↔ `T | null` change). */
function counterpartOf(document: JsonObject, variants: JsonObject[], types: Set<string> | undefined): JsonObject | undefined {
  if (!types) return undefined;
  return variants.find((variant) => {
    const resolved = resolve(document, variant);
    const own = resolved ? typesOf(document, resolved) : undefined;
    return own !== undefined && [...own].some((t) => t !== 'null' && types.has(t));
  });
}

/** Whether the string `value` meets a string schema's own pattern and length bounds (false for a non-string). */
function stringFits(schema: JsonObject, value: Json): boolean {
  if (typeof value !== 'string') return false;
  const length = [...value].length;
  if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) return false;
  if (typeof schema['minLength'] === 'number' && length < schema['minLength']) return false;
  if (typeof schema['pattern'] === 'string') {
    try {
      if (!new RegExp(schema['pattern'], 'u').test(value)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Whether some member of `variants` takes every request `shape` took: comparing them reports nothing. */
function takenBySome(walk: Walk, shape: Json, variants: readonly JsonObject[], where: string, depth: number): boolean {
  return variants.some((variant) => {
    let clean = true;
    compareSchema({ ...walk, report: () => (clean = false) }, shape, variant, where, depth + 1);
    return clean;
  });
}

/**
 * The member of `variants` that refuses the least of what request `shape` took, for naming the change: fewest reports,
 * a narrowing to listed values (`enum`/`const`) weighing more than a bound (it keeps far less of what was accepted).
 */
function closestOf(walk: Walk, shape: Json, variants: readonly JsonObject[], where: string, depth: number): JsonObject | undefined {
  let best: { variant: JsonObject; reports: number } | undefined;
  for (const variant of variants) {
    let reports = 0;
    compareSchema({ ...walk, report: (rule) => void (reports += rule === 'enum-narrowed' || rule === 'type-changed' ? 2 : 1) }, shape, variant, where, depth + 1);
    if (!best || reports < best.reports) best = { variant, reports };
  }
  return best?.variant;
}

interface Walk {
  readonly before: JsonObject;
  readonly after: JsonObject;
  readonly operation: string;
  readonly direction: 'request' | 'response';
  readonly report: (rule: BreakingRule, where: string, detail: string) => void;
}

const show = (values: Iterable<unknown>): string => [...values].map((v) => JSON.stringify(v)).join(', ');

/** Compares one schema position in both versions; `depth` bounds recursive schemas. */
function compareSchema(walk: Walk, oldValue: Json | undefined, newValue: Json | undefined, where: string, depth = 0): void {
  if (depth > 32) return;
  const a = resolve(walk.before, oldValue);
  const b = resolve(walk.after, newValue);
  if (!a || !b) return;
  const request = walk.direction === 'request';

  const oldTypes = typesOf(walk.before, a);
  const newTypes = typesOf(walk.after, b);
  if (oldTypes && newTypes) {
    // A request must still accept every type it accepted; a response must not send a type it never sent.
    const [must, may] = request ? [oldTypes, newTypes] : [newTypes, oldTypes];
    const lost = [...must].filter((t) => !admits(may, t));
    if (lost.length > 0) {
      if (!request && lost.every((t) => t === 'null')) walk.report('response-type-widened', where, `may now be null (was ${show(oldTypes)})`);
      else walk.report('type-changed', where, `type ${show(oldTypes)} became ${show(newTypes)}`);
    }
  }

  if (request) {
    const oldEnum = enumOf(a);
    const newEnum = enumOf(b);
    if (newEnum) {
      const allowed = new Set(newEnum.map((v) => JSON.stringify(v)));
      const removed = oldEnum ? oldEnum.filter((v) => !allowed.has(JSON.stringify(v))) : undefined;
      if (removed === undefined) walk.report('enum-narrowed', where, `now restricted to ${show(newEnum)}`);
      else if (removed.length > 0) walk.report('enum-narrowed', where, `no longer accepts ${show(removed)}`);
    }
  }

  // An enum that became a bounded/patterned string still takes every value it listed: no narrowing (e.g. statuses opened to any code).
  const oldValuesStillFit = request && enumOf(a) !== undefined && enumOf(b) === undefined && enumOf(a)!.every((value) => stringFits(b, value));
  if (request && !oldValuesStillFit) {
    // Bounds a request must stay within: a tighter one refuses what was accepted.
    for (const [key, tighter] of [
      ['maxLength', (x: number, y: number) => y < x],
      ['maximum', (x: number, y: number) => y < x],
      ['exclusiveMaximum', (x: number, y: number) => y < x],
      ['maxItems', (x: number, y: number) => y < x],
      ['maxProperties', (x: number, y: number) => y < x],
      ['minLength', (x: number, y: number) => y > x],
      ['minimum', (x: number, y: number) => y > x],
      ['exclusiveMinimum', (x: number, y: number) => y > x],
      ['minItems', (x: number, y: number) => y > x],
    ] as const) {
      const before = a[key];
      const after = b[key];
      if (typeof after !== 'number') continue;
      if (typeof before !== 'number') walk.report('constraint-narrowed', where, `new ${key} ${after}`);
      else if (tighter(before, after)) walk.report('constraint-narrowed', where, `${key} ${before} became ${after}`);
    }
    if (typeof b['pattern'] === 'string' && b['pattern'] !== a['pattern']) {
      walk.report('constraint-narrowed', where, typeof a['pattern'] === 'string' ? 'pattern changed' : 'new pattern');
    }
  }

  const oldProps = propertiesOf(a);
  const newProps = propertiesOf(b);
  const oldRequired = requiredOf(a);
  const newRequired = requiredOf(b);
  const at = (name: string): string => (where === '' ? name : `${where}.${name}`);
  if (request) {
    for (const name of [...newRequired].sort()) {
      if (!oldRequired.has(name)) walk.report('request-field-now-required', at(name), oldProps[name] === undefined ? 'new required field' : 'was optional');
    }
    // A strict object refuses keys it does not know: a field a client sent is now refused.
    if (b['additionalProperties'] === false) {
      for (const name of Object.keys(oldProps).sort()) {
        if (!(name in newProps)) walk.report('request-field-removed', at(name), 'no longer accepted (unknown keys are refused)');
      }
    }
  } else {
    for (const name of Object.keys(oldProps).sort()) {
      if (!(name in newProps)) walk.report('response-property-removed', at(name), 'no longer in the response');
      else if (oldRequired.has(name) && !newRequired.has(name)) walk.report('response-property-now-optional', at(name), 'was always present, now optional');
    }
  }
  for (const name of Object.keys(oldProps).sort()) {
    if (name in newProps) compareSchema(walk, oldProps[name], newProps[name], at(name), depth + 1);
  }

  if (a['items'] !== undefined && b['items'] !== undefined) compareSchema(walk, a['items'], b['items'], `${where}[]`, depth + 1);
  if (isObject(a['additionalProperties']) && isObject(b['additionalProperties'])) {
    compareSchema(walk, a['additionalProperties'], b['additionalProperties'], `${where}{}`, depth + 1);
  }

  const oldVariants = variantsOf(a);
  const newVariants = variantsOf(b);
  if (!oldVariants && newVariants) {
    // `T` became `T | …` (e.g. nullable): T must still be taken by one of the members (requests: whichever member, in any
    // position, takes all of T); else keep comparing T with its counterpart; the type check above judged the rest.
    if (request && takenBySome(walk, a, newVariants, where, depth)) return;
    const counterpart = request ? closestOf(walk, a, newVariants, where, depth) : counterpartOf(walk.after, newVariants, oldTypes);
    if (counterpart) compareSchema(walk, a, counterpart, where, depth + 1);
  } else if (oldVariants && !newVariants) {
    const counterpart = counterpartOf(walk.before, oldVariants, newTypes);
    if (counterpart) compareSchema(walk, counterpart, b, where, depth + 1);
  } else if (oldVariants && newVariants) {
    const byKey = new Map(newVariants.map((variant, index) => [variantKey(walk.after, variant, index), variant]));
    oldVariants.forEach((variant, index) => {
      // A request shape still taken whole by some member (members may move when one is added in front) is no change.
      if (request && takenBySome(walk, variant, newVariants, where, depth)) return;
      const key = variantKey(walk.before, variant, index);
      const match = byKey.get(key);
      if (match) compareSchema(walk, variant, match, `${where}<${key}>`, depth + 1);
      else if (request) walk.report('union-member-removed', `${where}<${key}>`, 'a shape the request accepted is gone');
    });
  }
}

function parametersOf(document: JsonObject, pathItem: JsonObject, operation: JsonObject): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const list of [pathItem['parameters'], operation['parameters']]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const param = resolve(document, raw);
      if (param && typeof param['name'] === 'string' && typeof param['in'] === 'string') out.set(`${param['in']} ${param['name']}`, param);
    }
  }
  return out;
}

function contentOf(document: JsonObject, holder: Json | undefined): JsonObject {
  const resolved = resolve(document, holder);
  return resolved && isObject(resolved['content']) ? resolved['content'] : {};
}

function isAuthenticated(document: JsonObject, operation: JsonObject): boolean {
  const security = operation['security'] ?? document['security'];
  return Array.isArray(security) && security.length > 0 && security.every((requirement) => isObject(requirement) && Object.keys(requirement).length > 0);
}

/** An operation and the path item it sits in (whose `parameters` it shares). */
interface Located {
  readonly item: JsonObject;
  readonly op: JsonObject;
}

function compareOperation(before: JsonObject, after: JsonObject, name: string, old: Located, now: Located, report: Walk['report']): void {
  const oldOp = old.op;
  const newOp = now.op;
  const request: Walk = { before, after, operation: name, direction: 'request', report };
  const response: Walk = { ...request, direction: 'response' };

  if (!isAuthenticated(before, oldOp) && isAuthenticated(after, newOp))
    report('operation-now-authenticated', 'security', 'a public operation now needs a token');

  const oldParams = parametersOf(before, old.item, oldOp);
  const newParams = parametersOf(after, now.item, newOp);
  for (const [key, param] of [...newParams].sort(([x], [y]) => x.localeCompare(y))) {
    const old = oldParams.get(key);
    if (param['required'] === true && old?.['required'] !== true) report('parameter-now-required', key, old ? 'was optional' : 'new required parameter');
    if (old) compareSchema(request, old['schema'], param['schema'], key);
  }
  for (const key of [...oldParams.keys()].sort()) {
    if (!newParams.has(key)) report('parameter-removed', key, 'no longer accepted');
  }

  const oldBody = resolve(before, oldOp['requestBody']);
  const newBody = resolve(after, newOp['requestBody']);
  if (newBody?.['required'] === true && oldBody?.['required'] !== true)
    report('request-body-now-required', 'request body', oldBody ? 'was optional' : 'new required body');
  if (oldBody && newBody) {
    const oldContent = contentOf(before, oldBody);
    const newContent = contentOf(after, newBody);
    for (const type of Object.keys(oldContent).sort()) {
      const next = newContent[type];
      if (!isObject(next)) report('request-media-type-removed', `request body ${type}`, 'no longer accepted');
      else compareSchema(request, (oldContent[type] as JsonObject)['schema'], next['schema'], 'request body');
    }
  }

  const oldResponses = isObject(oldOp['responses']) ? oldOp['responses'] : {};
  const newResponses = isObject(newOp['responses']) ? newOp['responses'] : {};
  for (const status of Object.keys(oldResponses).sort()) {
    if (!(status in newResponses)) {
      report('status-removed', `response ${status}`, 'no longer documented');
      continue;
    }
    const oldContent = contentOf(before, oldResponses[status]);
    const newContent = contentOf(after, newResponses[status]);
    for (const type of Object.keys(oldContent).sort()) {
      const next = newContent[type];
      if (!isObject(next)) report('response-media-type-removed', `response ${status} ${type}`, 'no longer sent');
      else compareSchema(response, (oldContent[type] as JsonObject)['schema'], next['schema'], `response ${status}`);
    }
  }
}

/** Every operation of a document: `METHOD /path` → the operation and its path item. */
function operationsOf(document: JsonObject): Map<string, Located> {
  const out = new Map<string, Located>();
  const paths = isObject(document['paths']) ? document['paths'] : {};
  for (const [path, rawItem] of Object.entries(paths)) {
    const item = resolve(document, rawItem);
    if (!item) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (isObject(operation)) out.set(`${method.toUpperCase()} ${path}`, { item, op: operation });
    }
  }
  return out;
}

/**
 * Every breaking change from `before` to `after`, sorted by operation: removed
 * operations, removed status codes and response properties, new required
 * request fields and parameters, narrowed enums and bounds, changed types
 * (and a few more, see {@link BREAKING_RULES}). Additions a client can ignore (a new
 * operation, an optional field or parameter, a response property, an enum
 * value a request may send) are not breaking.
 */
export function findBreakingChanges(before: Record<string, unknown>, after: Record<string, unknown>): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const oldDoc = before as JsonObject;
  const newDoc = after as JsonObject;
  const newOps = operationsOf(newDoc);
  for (const [name, oldOp] of [...operationsOf(oldDoc)].sort(([x], [y]) => x.localeCompare(y))) {
    const report = (rule: BreakingRule, where: string, detail: string): void => {
      changes.push({ operation: name, rule, where, detail });
    };
    const newOp = newOps.get(name);
    if (!newOp) report('operation-removed', '', 'the operation is gone');
    else compareOperation(oldDoc, newDoc, name, oldOp, newOp, report);
  }
  return changes;
}

/** The major of a semver string (`2.1.0` → 2); NaN when it is not one. */
export function majorOf(version: unknown): number {
  const match = typeof version === 'string' ? /^v?(\d+)\./.exec(version) : null;
  return match ? Number(match[1]) : Number.NaN;
}

/** Whether `after` bumped the major of `info.version` over `before` (a breaking change is then allowed). */
export function majorBumped(before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  const info = (document: Record<string, unknown>): unknown => (isObject(document['info'] as Json) ? (document['info'] as JsonObject)['version'] : undefined);
  return majorOf(info(after)) > majorOf(info(before));
}

/** One line per change, for the terminal. */
export function formatBreakingChange(change: BreakingChange): string {
  return `${change.operation}${change.where ? ` ${change.where}` : ''}: ${change.rule} (${change.detail})`;
}
