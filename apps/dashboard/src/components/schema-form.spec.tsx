import { renderToStaticMarkup } from 'react-dom/server';
import { SchemaForm } from './schema-form';
import { describeFields, errorsByPath, formToValue, unmatchedErrors, type JsonSchema } from './schema-form.util';

/** Shaped like zod's `toJSONSchema` output for an HTTP check config. */
const schema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: {
    url: { type: 'string', format: 'uri', description: 'Address to call.' },
    method: { type: 'string', enum: ['GET', 'HEAD'], default: 'GET' },
    expect_status: { type: 'integer', default: 200 },
    max_ms: { type: 'number' },
    follow_redirects: { type: 'boolean', default: true },
    headers_required: { type: 'array', items: { type: 'string' } },
    label: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'Shown on the scorecard.' },
    auth: {
      type: 'object',
      properties: { user: { type: 'string' }, password: { type: 'string' } },
      required: ['user'],
    },
    matrix: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
  },
  required: ['url', 'expect_status'],
  additionalProperties: false,
};

/** The opening tag of the control named `name`. */
function control(html: string, name: string): string {
  const match = new RegExp(`<(input|select|textarea)[^>]*name="${name.replace(/\./g, '\\.')}"[^>]*>`).exec(html);
  if (!match) throw new Error(`no control named ${name}`);
  return match[0];
}

function form(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(entries)) data.append(key, value);
  return data;
}

describe('describeFields', () => {
  it('maps every supported type, with required markers, defaults and descriptions', () => {
    const fields = describeFields(schema, 'config');
    expect(fields.map((f) => [f.path, f.kind, f.required])).toEqual([
      ['config.url', 'string', true],
      ['config.method', 'enum', false],
      ['config.expect_status', 'integer', true],
      ['config.max_ms', 'number', false],
      ['config.follow_redirects', 'boolean', false],
      ['config.headers_required', 'string-array', false],
      ['config.label', 'string', false],
      ['config.auth', 'object', false],
      ['config.matrix', 'json', false],
    ]);
    expect(fields[0]!.description).toBe('Address to call.');
    expect(fields[1]!.defaultValue).toBe('GET');
    expect(fields[6]!.description).toBe('Shown on the scorecard.');
    const auth = fields[7]!;
    expect(auth.kind === 'object' && auth.fields.map((f) => [f.path, f.required])).toEqual([
      ['config.auth.user', true],
      ['config.auth.password', false],
    ]);
  });

  it('reads enums written as oneOf consts and type arrays with null', () => {
    const fields = describeFields(
      { type: 'object', properties: { level: { oneOf: [{ const: 'low' }, { const: 'high' }] }, n: { type: ['integer', 'null'] } } },
      'c',
    );
    expect(fields.map((f) => f.kind)).toEqual(['enum', 'integer']);
  });

  it('returns no field for a schema without properties', () => {
    expect(describeFields({ type: 'object' }, 'config')).toEqual([]);
  });
});

describe('formToValue', () => {
  const fields = describeFields(schema, 'config');

  it('converts a submitted form to typed JSON and leaves empty optional fields out', () => {
    const value = formToValue(
      fields,
      form({
        'config.url': 'https://example.org',
        'config.method': 'HEAD',
        'config.expect_status': '204',
        'config.max_ms': '',
        'config.follow_redirects': 'on',
        'config.headers_required': 'strict-transport-security\n\n  x-frame-options  \r\n',
        'config.label': '',
        'config.auth.user': 'ops',
        'config.auth.password': '',
        'config.matrix': '[{"a":"x"}]',
      }),
    );
    expect(value).toEqual({
      url: 'https://example.org',
      method: 'HEAD',
      expect_status: 204,
      follow_redirects: true,
      headers_required: ['strict-transport-security', 'x-frame-options'],
      auth: { user: 'ops' },
      matrix: [{ a: 'x' }],
    });
  });

  it('an unchecked box is false; an empty optional group is left out', () => {
    const value = formToValue(fields, form({ 'config.url': 'x', 'config.expect_status': '200' }));
    expect(value).toEqual({ url: 'x', expect_status: 200, follow_redirects: false });
  });

  it('keeps what it cannot convert, so the API names the field', () => {
    const value = formToValue(fields, form({ 'config.url': '', 'config.expect_status': 'two hundred', 'config.matrix': '[oops' }));
    expect(value).toMatchObject({ url: '', expect_status: 'two hundred', matrix: '[oops' });
  });
});

describe('errorsByPath', () => {
  it('groups API lines by field path and keeps the rest for the summary', () => {
    const map = errorsByPath(['config.url: must be a URL', 'config.url: must use https', 'config.tags[2]: too long', 'something went wrong']);
    expect(map.get('config.url')).toEqual(['must be a URL', 'must use https']);
    expect(map.get('config.tags.2')).toEqual(['too long']);
    expect(map.get('')).toEqual(['something went wrong']);
  });

  it('lists errors that match no field', () => {
    const fields = describeFields(schema, 'config');
    const map = errorsByPath(['config.url: must be a URL', 'config.headers_required.1: bad header', 'config.nope: unknown key', 'schedule: bad cron']);
    expect(unmatchedErrors(fields, map)).toEqual(['config.nope: unknown key', 'schedule: bad cron']);
  });
});

describe('SchemaForm', () => {
  it('renders labelled controls with required markers, defaults and descriptions', () => {
    const html = renderToStaticMarkup(<SchemaForm schema={schema} />);
    expect(html).toContain(
      '<label for="field-config-url">url<span class="required" aria-hidden="true"> *</span><span class="visually-hidden"> (required)</span></label>',
    );
    const url = control(html, 'config.url');
    expect(url).toContain('id="field-config-url"');
    expect(url).toContain('aria-required="true"');
    expect(url).toContain('aria-describedby="field-config-url-hint"');
    expect(html).toContain('<p id="field-config-url-hint" class="hint">Address to call.</p>');
    expect(control(html, 'config.method')).toMatch(/^<select/);
    expect(html).toContain('<option value="GET" selected="">GET</option>');
    expect(control(html, 'config.expect_status')).toContain('value="200"');
    expect(control(html, 'config.follow_redirects')).toMatch(/type="checkbox".*checked=""/);
    expect(html).toContain('<legend>auth</legend>');
    expect(control(html, 'config.auth.user')).toContain('aria-required="true"');
    expect(control(html, 'config.headers_required')).toMatch(/^<textarea/);
    expect(html).toContain('One per line.');
    // The API validates: the browser must not block the submission first.
    expect(html).not.toMatch(/ required=""/);
  });

  it('shows each server-side error beside its field, and the others above the form', () => {
    const html = renderToStaticMarkup(
      <SchemaForm schema={schema} values={{ config: { url: 'not a url' } }} errors={['config.url: must be a URL', 'schedule: bad cron']} />,
    );
    const url = control(html, 'config.url');
    expect(url).toContain('aria-describedby="field-config-url-hint field-config-url-error"');
    expect(url).toContain('aria-invalid="true"');
    expect(url).toContain('value="not a url"');
    expect(html).toContain('<p id="field-config-url-error" class="field-error" data-testid="field-error">must be a URL</p>');
    expect(html).toContain('<li>schedule: bad cron</li>');
    expect(control(html, 'config.method')).not.toContain('aria-invalid');
  });

  it('shows stored values over defaults', () => {
    const html = renderToStaticMarkup(
      <SchemaForm schema={schema} values={{ config: { method: 'HEAD', follow_redirects: false, headers_required: ['a', 'b'] } }} />,
    );
    expect(html).toContain('<option value="HEAD" selected="">HEAD</option>');
    expect(html).not.toMatch(/name="config.follow_redirects" checked/);
    expect(html).toMatch(/<textarea[^>]*name="config.headers_required"[^>]*>a\nb<\/textarea>/);
  });
});
