import { lineColumnAt, locatePath, parentPath, parseJsonSource } from './json-source.util';

const syntaxError = (text: string) => {
  const result = parseJsonSource(text);
  if (result.ok) throw new Error('expected a syntax error');
  return result.error;
};

describe('parseJsonSource', () => {
  it('parses what JSON.parse parses, to the same value', () => {
    const text = '{\n  "a": [1, -2.5e3, "x\\n\\u00e9", true, null],\n  "b": {}\n}';
    const result = parseJsonSource(text);
    expect(result.ok && result.value).toEqual(JSON.parse(text));
  });

  it.each<[string, string, number, number, RegExp]>([
    ['a missing comma between members', '{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected "," or "}" after a property value/],
    ['a trailing comma', '{\n  "steps": [1, 2,]\n}', 2, 18, /trailing comma/],
    ['a trailing comma in an object', '{ "a": 1, }', 1, 11, /trailing comma/],
    ['single quotes', "{ 'a': 1 }", 1, 3, /property name must be a string in double quotes/],
    ['a single-quoted value', '{ "a": \'x\' }', 1, 8, /double quotes/],
    ['a missing colon', '{ "a" 1 }', 1, 7, /expected ":"/],
    ['an unterminated string (points at the line break)', '{\n  "a": "abc\n}', 2, 12, /cannot span lines/],
    ['an unterminated string at the end', '{ "a": "abc', 1, 8, /unterminated string/],
    ['text after the document', '{}\n}', 2, 1, /after the end of the document/],
    ['an empty text', '  \n ', 2, 2, /empty/],
    ['a bad literal', '{ "a": tru }', 1, 8, /expected a value/],
    ['a truncated document', '{ "a": [1, 2', 1, 13, /expected "," or "]"|end of text/],
    ['a bad escape', '{ "a": "\\x" }', 1, 9, /invalid escape/],
    ['a leading zero', '{ "a": 01 }', 1, 9, /expected "," or "}"/],
  ])('%s: line and column of the problem', (_what, text, line, column, message) => {
    const error = syntaxError(text);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toMatch(message);
    // Whatever this parser refuses, JSON.parse refuses too.
    expect(() => JSON.parse(text)).toThrow();
  });

  it('records where each member and item starts, by path as messages name it', () => {
    const text = '{\n  "name": "x",\n  "steps": [\n    { "id": "a" },\n    {\n      "id": "b",\n      "extract": { "mx.records": "$" }\n    }\n  ]\n}';
    const result = parseJsonSource(text);
    if (!result.ok) throw new Error('expected JSON');
    const at = (path: string) => lineColumnAt(text, result.offsets.get(path)!);
    expect(at('name')).toMatchObject({ line: 2, column: 3 });
    expect(at('steps[0]')).toMatchObject({ line: 4, column: 5 });
    expect(at('steps[0].id')).toMatchObject({ line: 4, column: 7 });
    expect(at('steps[1].id')).toMatchObject({ line: 6, column: 7 });
    expect(at('steps[1].extract["mx.records"]')).toMatchObject({ line: 7, column: 20 });
  });

  it('refuses nesting deep enough to exhaust the stack', () => {
    expect(syntaxError(`${'['.repeat(300)}${']'.repeat(300)}`).message).toMatch(/nested deeper/);
  });
});

describe('lineColumnAt', () => {
  it('counts lines and columns from 1', () => {
    expect(lineColumnAt('ab\ncd', 0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(lineColumnAt('ab\ncd', 4)).toEqual({ offset: 4, line: 2, column: 2 });
    expect(lineColumnAt('ab', 99)).toEqual({ offset: 2, line: 1, column: 3 });
  });
});

describe('locatePath', () => {
  const text = '{\n  "steps": [\n    { "id": "a" }\n  ]\n}';
  const result = parseJsonSource(text);
  const offsets = result.ok ? result.offsets : new Map<string, number>();

  it('finds the path, or its nearest ancestor when the field is missing', () => {
    expect(locatePath(text, offsets, 'steps[0].id')).toMatchObject({ line: 3, column: 7 });
    expect(locatePath(text, offsets, 'steps[0].url')).toMatchObject({ line: 3, column: 5 });
    expect(locatePath(text, offsets, 'description')).toMatchObject({ line: 1, column: 1 });
  });

  it('walks a path up one segment at a time', () => {
    expect(parentPath('steps[1].extract["a.b"]')).toBe('steps[1].extract');
    expect(parentPath('steps[1].extract')).toBe('steps[1]');
    expect(parentPath('steps[1]')).toBe('steps');
    expect(parentPath('steps')).toBe('');
  });
});
