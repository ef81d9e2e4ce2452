import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatIssues } from './common.schema';
import { templateReferences, WorkbookActionConfigSchema, WorkbookSpecSchema } from './workbook.schema';

type Json = Record<string, unknown>;

const http = (over: Json = {}): Json => ({ id: 'fetch', kind: 'http', url: 'http://127.0.0.1:8200/ping', ...over });
const spec = (steps: unknown[], over: Json = {}): Json => ({ name: 'mail-posture', steps, ...over });

function problems(input: unknown): string[] {
  const parsed = WorkbookSpecSchema.safeParse(input);
  return parsed.success ? [] : formatIssues(parsed.error);
}

describe('WorkbookSpecSchema', () => {
  it('accepts a spec using every step kind, assertions, extraction and templates', () => {
    const valid = spec([
      http({
        assert: [
          { path: '$.status_code', op: 'eq', value: 200 },
          { path: '$.json.id', op: 'exists' },
        ],
        extract: { item: '$.json.id', port: '$.json.port' },
      }),
      http({
        id: 'detail',
        url: 'http://127.0.0.1:8200/items/${ctx.item}',
        headers: { 'x-item': '${ctx.item}' },
        assert: [{ path: '$.json.id', op: 'eq', value: '${ctx.item}' }],
      }),
      { id: 'mx', kind: 'dns', rule: 'mx', domain: 'example.org', assert: [{ path: "$.checks['mx.records'].status", op: 'in', value: ['pass', 'warn'] }] },
      { id: 'dkim', kind: 'dns', rule: 'dkim', domain: 'example.org', selectors: ['s1'] },
      { id: 'cert', kind: 'tls', host: 'example.org', port: 443 },
      { id: 'port', kind: 'tcp', host: '127.0.0.1', port: '${ctx.port}' },
      {
        id: 'rows',
        kind: 'sql',
        sql: 'SELECT count(*)::int AS n FROM audit.services WHERE service_name = ${ctx.item}',
        assert: [{ path: '$.rows[0].n', op: 'gte', value: 0 }],
      },
    ]);
    expect(problems(valid)).toEqual([]);
  });

  it.each<[string, Json, RegExp]>([
    ['an unknown kind', spec([{ id: 'a', kind: 'ftp', host: 'x' }]), /^steps\[0\]\.kind: must be one of http, dns, tls, tcp, sql$/],
    ['a missing kind', spec([{ id: 'a', url: 'http://x/' }]), /^steps\[0\]\.kind: required$/],
    ['a step that is not an object', spec(['fetch']), /^steps\[0\]: a step must be a JSON object$/],
    ['duplicate step ids', spec([http(), http()]), /^steps\[1\]\.id: duplicate step id "fetch" \(also steps\[0\]\)$/],
    ['a bad step id', spec([http({ id: 'Fetch Me' })]), /^steps\[0\]\.id: must be a step id/],
    [
      'a template naming a key nobody extracts',
      spec([http({ url: 'http://x.test/${ctx.token}' })]),
      /^steps\[0\]\.url: \$\{ctx\.token\} is not extracted by an earlier step$/,
    ],
    [
      'a template naming a key only a later step extracts',
      spec([http({ url: 'http://x.test/${ctx.token}' }), http({ id: 'login', extract: { token: '$.json.token' } })]),
      /^steps\[0\]\.url: .*step "login" extracts it, but runs at or after this one/,
    ],
    [
      'a template in a header naming an unknown key',
      spec([http({ headers: { authorization: 'Bearer ${ctx.token}' } })]),
      /^steps\[0\]\.headers\.authorization: \$\{ctx\.token\}/,
    ],
    [
      'a template in an assertion value naming an unknown key',
      spec([http({ assert: [{ path: '$.body', op: 'eq', value: '${ctx.x}' }] })]),
      /^steps\[0\]\.assert\[0\]\.value: \$\{ctx\.x\}/,
    ],
    ['a malformed template', spec([http({ url: 'http://x.test/${token}' })]), /^steps\[0\]\.url: template "\$\{token\}" must be \$\{ctx\.<key>\}/],
    ['an unterminated template', spec([http({ url: 'http://x.test/${ctx.a' })]), /^steps\[0\]\.url: an unterminated/],
    [
      'a bad assertion operator',
      spec([http({ assert: [{ path: '$.status_code', op: 'approx', value: 200 }] })]),
      /^steps\[0\]\.assert\[0\]\.op: must be one of eq, ne, gt/,
    ],
    [
      'a comparison with a non-number',
      spec([http({ assert: [{ path: '$.status_code', op: 'gt', value: '200' }] })]),
      /^steps\[0\]\.assert\[0\]\.value: must be a number for op gt$/,
    ],
    [
      'exists with a value',
      spec([http({ assert: [{ path: '$.json', op: 'exists', value: 1 }] })]),
      /^steps\[0\]\.assert\[0\]\.value: must be omitted for op exists$/,
    ],
    ['eq without a value', spec([http({ assert: [{ path: '$.json', op: 'eq' }] })]), /^steps\[0\]\.assert\[0\]\.value: required for op eq$/],
    [
      'an invalid regular expression',
      spec([http({ assert: [{ path: '$.body', op: 'matches', value: '(' }] })]),
      /^steps\[0\]\.assert\[0\]\.value: must be a valid regular expression/,
    ],
    [
      'in without an array',
      spec([http({ assert: [{ path: '$.body', op: 'in', value: 'a' }] })]),
      /^steps\[0\]\.assert\[0\]\.value: must be an array for op in$/,
    ],
    ['a malformed assertion path', spec([http({ assert: [{ path: 'status_code', op: 'exists' }] })]), /^steps\[0\]\.assert\[0\]\.path: must be a JSON path/],
    ['a malformed extract path', spec([http({ extract: { token: '$.json..token' } })]), /^steps\[0\]\.extract\.token: must be a JSON path/],
    ['a bad context key', spec([http({ extract: { '1token': '$.json.token' } })]), /^steps\[0\]\.extract\["1token"\]: must map context keys/],
    [
      'a key extracted twice',
      spec([http({ extract: { a: '$.json' } }), http({ id: 'b', extract: { a: '$.json' } })]),
      /^steps\[1\]\.extract\.a: key "a" is already extracted by step "fetch"$/,
    ],
    ['an unknown step field', spec([http({ colour: 'red' })]), /^steps\[0\]: unknown field\(s\) "colour" in an http step/],
    ['a literal URL that is not http(s)', spec([http({ url: 'ftp://x.test/' })]), /^steps\[0\]\.url: must be an http:\/\/ or https:\/\/ URL$/],
    [
      'a dns option of another rule',
      spec([{ id: 'mx', kind: 'dns', rule: 'mx', domain: 'example.org', selectors: ['s1'] }]),
      /^steps\[0\]\.selectors: only applies to rule dkim$/,
    ],
    ['dkim without selectors', spec([{ id: 'dkim', kind: 'dns', rule: 'dkim', domain: 'example.org' }]), /^steps\[0\]\.selectors: required for rule dkim$/],
    [
      'an unknown dns rule',
      spec([{ id: 'x', kind: 'dns', rule: 'caa', domain: 'example.org' }]),
      /^steps\[0\]\.rule: must be one of mx, spf, dmarc, dkim, mta_sts, tls_rpt$/,
    ],
    ['a bad domain', spec([{ id: 'x', kind: 'dns', rule: 'mx', domain: 'not a domain' }]), /^steps\[0\]\.domain: must be a fully qualified domain name$/],
    ['a tcp port out of range', spec([{ id: 'p', kind: 'tcp', host: 'h', port: 70000 }]), /^steps\[0\]\.port: must be a port 1–65535/],
    ['a writing sql statement', spec([{ id: 'q', kind: 'sql', sql: 'DELETE FROM audit.runs' }]), /^steps\[0\]\.sql: must be a single SELECT or WITH query$/],
    ['two sql statements', spec([{ id: 'q', kind: 'sql', sql: 'SELECT 1; DROP TABLE x' }]), /^steps\[0\]\.sql: must be a single SELECT or WITH query$/],
    ['no steps', spec([]), /^steps: must have at least 1 step$/],
    ['a reserved name', spec([http()], { name: 'schema' }), /^name: is reserved/],
    ['a bad name', spec([http()], { name: 'Mail Posture' }), /^name: must be a workbook name/],
    ['an unknown top-level field', spec([http()], { owner: 'me' }), /^unknown field\(s\) "owner" in a workbook/],
  ])('rejects %s, naming the path', (_what, input, message) => {
    const found = problems(input);
    expect(found.length).toBeGreaterThan(0);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('converts to JSON Schema for the dashboard editor', () => {
    const schema = z.toJSONSchema(WorkbookSpecSchema, { io: 'input', unrepresentable: 'any' }) as Json;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'steps']));
    expect(JSON.stringify(schema)).toContain('"dns"');
  });
});

describe('templateReferences', () => {
  it('lists the keys in order of first use', () => {
    expect(templateReferences('a ${ctx.x} b ${ctx.y} ${ctx.x}')).toEqual({ keys: ['x', 'y'] });
    expect(templateReferences('no templates')).toEqual({ keys: [] });
  });
});

describe('WorkbookActionConfigSchema', () => {
  it('takes a workbook name and an optional version', () => {
    expect(WorkbookActionConfigSchema.safeParse({ workbook: 'mail-posture' }).success).toBe(true);
    expect(WorkbookActionConfigSchema.safeParse({ workbook: 'mail-posture', version: 2 }).success).toBe(true);
    expect(WorkbookActionConfigSchema.safeParse({ workbook: 'mail-posture', version: 0 }).success).toBe(false);
    expect(WorkbookActionConfigSchema.safeParse({ spec: {} }).success).toBe(false);
  });
});

describe('docs/workbooks.md', () => {
  it('shows an example that is a valid spec', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'workbooks.md'), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(text)?.[1];
    expect(example).toBeDefined();
    expect(problems(JSON.parse(example!))).toEqual([]);
  });
});
