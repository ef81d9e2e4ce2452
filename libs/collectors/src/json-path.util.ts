import { CollectorError } from './collector.error';

/** One step of a {@link parseJsonPath} path. */
export type JsonPathSegment = string | number;

/**
 * Parses the simple subset of JSONPath (RFC 9535) the http collector accepts:
 * `$`, `.name`, `['name']` and `[index]`, e.g. `$.data.items[0].status`.
 *
 * @throws CollectorError `JSON_PATH_SYNTAX` naming the position of a syntax error.
 */
export function parseJsonPath(path: string): JsonPathSegment[] {
  const segments: JsonPathSegment[] = [];
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1);
  else if (rest !== '' && !rest.startsWith('.') && !rest.startsWith('[')) rest = `.${rest}`;
  const token = /^(?:\.([A-Za-z_$][\w$-]*)|\[(\d{1,9})\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\])/;
  while (rest.length > 0) {
    const m = token.exec(rest);
    if (!m) throw new CollectorError('JSON_PATH_SYNTAX', `bad JSON path at "${rest.slice(0, 40)}"`);
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else segments.push((m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
    rest = rest.slice(m[0].length);
    if (segments.length > 64) throw new CollectorError('JSON_PATH_SYNTAX', 'JSON path longer than 64 segments');
  }
  return segments;
}

/** Looks a path up in a parsed JSON value; `found: false` when a step is missing. */
export function evaluateJsonPath(value: unknown, segments: readonly JsonPathSegment[]): { found: boolean; value: unknown } {
  let current: unknown = value;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return { found: false, value: undefined };
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, segment))
        return { found: false, value: undefined };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}
