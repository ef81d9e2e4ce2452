import { formatIssuePath } from '@auditstack/audit-core';

/**
 * JSON text as an editor sees it: where a syntax error is (line and column,
 * not just an offset: engines word `JSON.parse` errors differently and some
 * give no position at all), and where each value of the document starts, so a
 * schema error naming `steps[1].id` can point at its line. Strict RFC 8259
 * JSON; framework-free.
 */

/** A place in the text: `offset` in UTF-16 code units, `line` and `column` from 1. */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

/** Why the text is not JSON, and where. */
export interface JsonSyntaxProblem extends SourcePosition {
  readonly message: string;
}

/** The parsed value and the offset of every member and item, keyed by its path as messages name it (`steps[1].id`, root `''`). */
export type JsonSource =
  { readonly ok: true; readonly value: unknown; readonly offsets: ReadonlyMap<string, number> } | { readonly ok: false; readonly error: JsonSyntaxProblem };

/** Nesting deeper than this is refused rather than risk the stack. */
export const MAX_JSON_DEPTH = 256;

/** Line and column (from 1) of `offset` in `text`; `\r\n` counts as one line break. */
export function lineColumnAt(text: string, offset: number): SourcePosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset: end, line, column: end - lineStart + 1 };
}

class SyntaxProblem extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;

/** Describes the character at `offset` for a message (`"}"`, `end of text`, `a line break`). */
function describeAt(text: string, offset: number): string {
  if (offset >= text.length) return 'end of text';
  const ch = text[offset]!;
  if (ch === '\n' || ch === '\r') return 'a line break';
  return JSON.stringify(ch);
}

/**
 * Parses `text` as JSON. On success, `offsets` maps each path to where its
 * value starts — for an object member, where its quoted name starts (the line
 * a person looks for). A repeated name keeps the last value, like `JSON.parse`.
 */
export function parseJsonSource(text: string): JsonSource {
  const offsets = new Map<string, number>();
  let pos = 0;

  const skipSpace = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else break;
    }
  };
  const fail = (message: string, at = pos): never => {
    throw new SyntaxProblem(at, message);
  };

  const scanString = (): void => {
    const start = pos;
    pos++; // opening quote
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 34) {
        pos++;
        return;
      }
      if (c === 92) {
        const next = text[pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('a \\u escape needs four hex digits');
          pos += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) pos += 2;
        else fail(`invalid escape "\\${next ?? ''}" in a string`);
        continue;
      }
      if (c < 32) fail(c === 10 || c === 13 ? 'a string cannot span lines: close it with " or write \\n' : 'a control character must be escaped in a string');
      pos++;
    }
    fail('unterminated string: missing the closing "', start);
  };

  const scanValue = (path: readonly PropertyKey[], depth: number): void => {
    skipSpace();
    if (depth > MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    const ch = text[pos];
    if (ch === '{') return scanObject(path, depth);
    if (ch === '[') return scanArray(path, depth);
    if (ch === '"') return scanString();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = pos;
      const match = NUMBER.exec(text);
      if (!match || match[0] === '-') fail('invalid number');
      pos += match![0].length;
      return;
    }
    for (const literal of LITERALS) {
      if (text.startsWith(literal, pos)) {
        pos += literal.length;
        return;
      }
    }
    if (ch === undefined) fail('unexpected end of text: a value is missing');
    if (ch === "'") fail('strings need double quotes ("), not single quotes');
    fail(`unexpected ${describeAt(text, pos)}: expected a value (object, array, string, number, true, false or null)`);
  };

  const scanObject = (path: readonly PropertyKey[], depth: number): void => {
    pos++; // {
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') {
        if (text[pos] === '}') fail('trailing comma: remove the "," before "}"');
        fail(`unexpected ${describeAt(text, pos)}: a property name must be a string in double quotes`);
      }
      const keyStart = pos;
      scanString();
      const key = JSON.parse(text.slice(keyStart, pos)) as string;
      const memberPath = [...path, key];
      offsets.set(formatIssuePath(memberPath), keyStart);
      skipSpace();
      if (text[pos] !== ':') fail(`unexpected ${describeAt(text, pos)}: expected ":" after the property name`);
      pos++;
      scanValue(memberPath, depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === '}') {
        pos++;
        return;
      }
      fail(`unexpected ${describeAt(text, pos)}: expected "," or "}" after a property value`);
    }
  };

  const scanArray = (path: readonly PropertyKey[], depth: number): void => {
    pos++; // [
    skipSpace();
    if (text[pos] === ']') {
      pos++;
      return;
    }
    for (let index = 0; ; index++) {
      skipSpace();
      if (text[pos] === ']') fail('trailing comma: remove the "," before "]"');
      const itemPath = [...path, index];
      offsets.set(formatIssuePath(itemPath), pos);
      scanValue(itemPath, depth + 1);
      skipSpace();
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] === ']') {
        pos++;
        return;
      }
      fail(`unexpected ${describeAt(text, pos)}: expected "," or "]" after an array item`);
    }
  };

  try {
    skipSpace();
    if (pos >= text.length) fail('the text is empty: a workbook is a JSON object');
    offsets.set('', pos);
    scanValue([], 0);
    skipSpace();
    if (pos < text.length) fail(`unexpected ${describeAt(text, pos)} after the end of the document`);
  } catch (error) {
    if (error instanceof SyntaxProblem) return { ok: false, error: { ...lineColumnAt(text, error.offset), message: error.message } };
    throw error;
  }
  // The scan accepted exactly RFC 8259 JSON, so JSON.parse agrees and builds the value.
  return { ok: true, value: JSON.parse(text) as unknown, offsets };
}

/** One path segment off the end: `steps[1].id` → `steps[1]` → `steps` → `''`. */
export function parentPath(path: string): string {
  const match = /(?:\.[^.[\]]+|\[(?:\d+|"(?:[^"\\]|\\.)*")\])$/.exec(path);
  if (match) return path.slice(0, match.index);
  return '';
}

/**
 * Where `path` (as messages name it) is in the source, or its nearest
 * ancestor that is there (a missing field points at the object that lacks it).
 */
export function locatePath(text: string, offsets: ReadonlyMap<string, number>, path: string): SourcePosition | undefined {
  for (let at: string | undefined = path; at !== undefined; at = at === '' ? undefined : parentPath(at)) {
    const offset = offsets.get(at);
    if (offset !== undefined) return lineColumnAt(text, offset);
  }
  return undefined;
}
