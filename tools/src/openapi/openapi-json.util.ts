/**
 * The committed form of an OpenAPI document and the drift between two of
 * them. Pure helpers of `auditstack openapi`.
 */

/**
 * Keys sorted at every level (so an incidental reordering in code is not a
 * change), except the members of `properties`, which keep the order the
 * schema declares (the order a reader expects); 2-space indentation and a
 * final newline.
 */
export function serializeOpenApiDocument(document: unknown): string {
  return `${JSON.stringify(sortKeysDeep(document), null, 2)}\n`;
}

function sortKeysDeep(value: unknown, keepOrder = false): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeysDeep(item));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!keepOrder) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortKeysDeep(child, key === 'properties' && !keepOrder)]));
}

/** RFC 6901 escaping of one JSON Pointer segment. */
function pointerSegment(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * The JSON Pointers (RFC 6901) where `committed` and `generated` differ, at
 * the shallowest level that differs (an added or removed key, a changed
 * value), in document order; at most `limit`.
 */
export function differingPaths(committed: unknown, generated: unknown, limit = 50): string[] {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, pointer: string): void => {
    if (out.length >= limit) return;
    const bothObjects = typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b);
    if (!bothObjects) {
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push(pointer || '/');
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${pointer}/${i}`);
      return;
    }
    const left = a as Record<string, unknown>;
    const right = b as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    for (const key of keys) walk(left[key], right[key], `${pointer}/${pointerSegment(key)}`);
  };
  walk(committed, generated, '');
  return out;
}
