import { checkSpecText, placeServerErrors, specToEditorText, withVersionGuard } from './workbook-validation.util';

const spec = {
  name: 'item-flow',
  steps: [
    { id: 'session', kind: 'http', url: 'http://127.0.0.1:8080/session', extract: { item: '$.json.id' } },
    { id: 'item', kind: 'http', url: 'http://127.0.0.1:8080/items/${ctx.item}', assert: [{ path: '$.status_code', op: 'eq', value: 200 }] },
  ],
};
const text = (value: unknown): string => JSON.stringify(value, null, 2);
/** 1-based number of the last line containing `needle`. */
const lastLineWith = (source: string, needle: string): number => source.split('\n').findLastIndex((line) => line.includes(needle)) + 1;

describe('checkSpecText', () => {
  it('accepts a valid spec', () => {
    expect(checkSpecText(text(spec))).toEqual({ kind: 'valid', spec });
  });

  it('reports a syntax error with its line and column', () => {
    const check = checkSpecText('{\n  "name": "x",\n  "steps": [\n}');
    expect(check).toMatchObject({ kind: 'syntax', error: { line: 4, column: 1 } });
  });

  it('names the path of a duplicate step id, worded as the engine does, and points at its line', () => {
    const dup = { ...spec, steps: [spec.steps[0], { ...spec.steps[1], id: 'session' }] };
    const source = text(dup);
    const check = checkSpecText(source);
    if (check.kind !== 'invalid') throw new Error(`expected invalid, got ${check.kind}`);
    expect(check.problems).toEqual([
      {
        path: 'steps[1].id',
        message: 'steps[1].id: duplicate step id "session" (also steps[0])',
        at: expect.objectContaining({ line: lastLineWith(source, '"id": "session"') }),
      },
    ]);
  });

  it('a template naming a key no earlier step extracts, an unknown kind and a missing field', () => {
    const bad = {
      name: 'item-flow',
      steps: [
        { id: 'a', kind: 'http', url: 'http://h/${ctx.later}' },
        { id: 'b', kind: 'udp' },
        { id: 'c', kind: 'tcp', host: 'h' },
      ],
    };
    const check = checkSpecText(text(bad));
    if (check.kind !== 'invalid') throw new Error('expected invalid');
    const messages = check.problems.map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^steps\[1\]\.kind: must be one of http, dns, tls, tcp, sql/),
        expect.stringMatching(/^steps\[2\]\.port: /),
      ]),
    );
    // The missing port points at the step that lacks it.
    expect(check.problems.find((p) => p.path === 'steps[2].port')?.at?.line).toBe(
      text(bad)
        .split('\n')
        .findIndex((l) => l.includes('"id": "c"')),
    );
  });

  it('a JSON value that is not an object is a schema problem at the root', () => {
    const check = checkSpecText('[]');
    expect(check.kind).toBe('invalid');
    if (check.kind === 'invalid') expect(check.problems[0]).toMatchObject({ path: '', at: { line: 1, column: 1 } });
  });
});

describe('placeServerErrors', () => {
  it('places each refusal line by the path it starts with; a line without a path has no place', () => {
    const source = text(spec);
    const placed = placeServerErrors(source, [
      'steps[1].assert[0].op: must be one of eq, ne',
      'version: this save would create version 3 of "item-flow", not 2',
      'something went wrong',
    ]);
    expect(placed[0]).toMatchObject({ path: 'steps[1].assert[0].op', at: { line: source.split('\n').findIndex((l) => l.includes('"op"')) + 1 } });
    // `version` is not in the text: its nearest ancestor is the document.
    expect(placed[1]).toMatchObject({ path: 'version', at: { line: 1, column: 1 } });
    expect(placed[2]).toEqual({ path: '', message: 'something went wrong' });
  });
});

describe('withVersionGuard', () => {
  it('asks for the version after the one the edit started from; version 1 for a new workbook', () => {
    expect(withVersionGuard({ name: 'a' }, { name: 'a', version: 3 })).toEqual({ name: 'a', version: 4 });
    expect(withVersionGuard({ name: 'a' }, null)).toEqual({ name: 'a', version: 1 });
  });

  it('leaves a version typed in the text alone, and adds none when the name was changed', () => {
    expect(withVersionGuard({ name: 'a', version: 9 }, { name: 'a', version: 3 })).toEqual({ name: 'a', version: 9 });
    expect(withVersionGuard({ name: 'b' }, { name: 'a', version: 3 })).toEqual({ name: 'b' });
  });
});

describe('specToEditorText', () => {
  it('pretty-prints the stored spec without its version', () => {
    expect(specToEditorText({ name: 'a', version: 2, steps: [] })).toBe('{\n  "name": "a",\n  "steps": []\n}\n');
  });
});
