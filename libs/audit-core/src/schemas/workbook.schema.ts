import { z } from 'zod';
import { boundedText, named, PositiveIntSchema, strictObject, UtcTimestampSchema, UuidSchema, withPath } from './common.schema';

/**
 * Workbooks (`audit.workbooks`, run by the `workbook` action type): a
 * declarative, versioned spec of ordered steps. Each step is one collector
 * call (http, dns, tls, tcp, sql) with assertions over what it observed and
 * values extracted into a shared context that later steps reference with
 * `${ctx.key}` templates. See docs/workbooks.md.
 *
 * Framework-free: the engine validates saves with it, the dashboard's editor
 * reads its JSON Schema (`GET /v1/workbooks/schema`).
 */

// ---------------------------------------------------------------------------
// Templates

/** A context key: what `extract` names and `${ctx.key}` references. */
export const WORKBOOK_CONTEXT_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Every `${…}` of a string; only `${ctx.<key>}` is a valid template. */
const TEMPLATE_TOKEN = /\$\{([^}]{0,200})\}/g;
const CTX_REFERENCE = /^ctx\.([A-Za-z_][A-Za-z0-9_]{0,63})$/;

/** True when `text` contains `${` (a template, valid or not). */
export function hasTemplate(text: string): boolean {
  return text.includes('${');
}

/**
 * The context keys `text` references, in order of first use, or the reason the
 * text is not a valid template (`${` not followed by `ctx.<key>}`).
 */
export function templateReferences(text: string): { keys: string[] } | { error: string } {
  const keys: string[] = [];
  let rest = text;
  for (const match of text.matchAll(TEMPLATE_TOKEN)) {
    const ref = CTX_REFERENCE.exec(match[1] ?? '');
    if (!ref) return { error: `template "\${${(match[1] ?? '').slice(0, 40)}}" must be \${ctx.<key>} with a key of A–Z, a–z, 0–9, _` };
    if (!keys.includes(ref[1]!)) keys.push(ref[1]!);
    rest = rest.replace(match[0], '');
  }
  if (rest.includes('${')) return { error: 'an unterminated "${": templates are ${ctx.<key>}' };
  return { keys };
}

/**
 * Replaces every `${ctx.key}` of `text` with `render(key)`. Keys must have
 * been checked with {@link templateReferences} (the spec schema does).
 */
export function renderTemplate(text: string, render: (key: string) => string): string {
  return text.replace(TEMPLATE_TOKEN, (_, inner: string) => render(CTX_REFERENCE.exec(inner)?.[1] ?? ''));
}

/** A string that may hold `${ctx.key}` templates; without one it must pass `literal`. */
function templated(literal: z.ZodString, rule: string, max: number): z.ZodType<string> {
  return z
    .string(named(rule))
    .max(max)
    .superRefine((value, ctx) => {
      if (hasTemplate(value)) {
        const refs = templateReferences(value);
        if ('error' in refs) ctx.addIssue({ code: 'custom', message: refs.error });
        return;
      }
      if (!literal.safeParse(value).success) ctx.addIssue({ code: 'custom', message: rule });
    });
}

/** An integer field that may instead be a single `${ctx.key}` template (a port taken from an earlier step). */
function templatedInt(min: number, max: number, rule: string): z.ZodType<number | string> {
  const both = named(`${rule}, or a single \${ctx.<key>} template`);
  return z.union([z.number(both).int().min(min).max(max), z.string(both).regex(/^\$\{ctx\.[A-Za-z_][A-Za-z0-9_]{0,63}\}$/, both)], both);
}

// ---------------------------------------------------------------------------
// Paths, assertions, extraction

/**
 * A JSON path into what a step observed (its document, see docs/workbooks.md):
 * `$`, `.name`, `['name']`, `[index]`, e.g. `$.json.items[0].id` or
 * `$.checks['mx.records'].status` — the subset the http collector's
 * `json_path` accepts.
 */
export const WORKBOOK_PATH_PATTERN = /^\$(?:\.[A-Za-z_$][\w$-]*|\[\d{1,9}\]|\['(?:[^'\\]|\\.)*'\]|\["(?:[^"\\]|\\.)*"\])*$/;

const PATH_RULE = "must be a JSON path such as $.json.items[0].id or $.checks['mx.records'].status";

export const WorkbookPathSchema = z.string(named(PATH_RULE)).max(500).regex(WORKBOOK_PATH_PATTERN);

/** Assertion operators. `exists`/`absent` take no value; `gt`…`lte` a number; `in` an array; `matches` a regular expression. */
export const WORKBOOK_ASSERT_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'not_contains', 'matches', 'exists', 'absent', 'in'] as const;
export type WorkbookAssertOp = (typeof WORKBOOK_ASSERT_OPS)[number];

/** One assertion: the value at `path` of the step's document compared with `value` by `op`. */
export const WorkbookAssertionSchema = strictObject(
  {
    path: WorkbookPathSchema,
    op: z.enum(WORKBOOK_ASSERT_OPS, named(`must be one of ${WORKBOOK_ASSERT_OPS.join(', ')}`)),
    /** The expected value; a string may hold `${ctx.key}` templates. */
    value: z.json().optional(),
  },
  'an assertion',
).superRefine((assertion, ctx) => {
  const { op, value } = assertion;
  const problem = (message: string): void => ctx.addIssue({ code: 'custom', path: ['value'], message });
  if (op === 'exists' || op === 'absent') {
    if (value !== undefined) problem(`must be omitted for op ${op}`);
    return;
  }
  if (value === undefined) return problem(`required for op ${op}`);
  if ((op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') && typeof value !== 'number') problem(`must be a number for op ${op}`);
  if (op === 'in' && !Array.isArray(value)) problem('must be an array for op in');
  if ((op === 'contains' || op === 'not_contains') && (value === null || typeof value === 'object'))
    problem(`must be a string, number or boolean for op ${op}`);
  if (op === 'matches') {
    if (typeof value !== 'string' || value.length > 500) return problem('must be a regular expression of at most 500 characters for op matches');
    try {
      new RegExp(value, 'u');
    } catch {
      problem('must be a valid regular expression (JavaScript, u flag)');
    }
  }
});
export type WorkbookAssertion = z.output<typeof WorkbookAssertionSchema>;

// ---------------------------------------------------------------------------
// Steps

/** A step id: becomes the `check_id` of the step's check in runs and scorecards. */
export const WORKBOOK_STEP_ID_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export const WORKBOOK_STEP_KINDS = ['http', 'dns', 'tls', 'tcp', 'sql'] as const;
export type WorkbookStepKind = (typeof WORKBOOK_STEP_KINDS)[number];

/** The mail-posture rules of a `dns` step: the collectors behind the dns_* action types. */
export const WORKBOOK_DNS_RULES = ['mx', 'spf', 'dmarc', 'dkim', 'mta_sts', 'tls_rpt'] as const;
export type WorkbookDnsRule = (typeof WORKBOOK_DNS_RULES)[number];

const common = {
  id: z.string(named('must be a step id: 1–63 characters of a–z, 0–9, ".", "_", "-", starting with a letter or digit')).regex(WORKBOOK_STEP_ID_PATTERN),
  /** What the step verifies, shown with its check. */
  description: boundedText(500).optional(),
  /** @defaultValue [] */
  assert: z.array(WorkbookAssertionSchema, named('must be an array of assertions')).max(50).optional(),
  /** Context key → path of the value to keep for later steps. @defaultValue {} */
  extract: z
    .record(
      z.string(named('must be a context key: 1–64 characters of A–Z, a–z, 0–9, _, not starting with a digit')).regex(WORKBOOK_CONTEXT_KEY_PATTERN),
      WorkbookPathSchema,
      named('must map context keys (1–64 characters of A–Z, a–z, 0–9, _, not starting with a digit) to JSON paths'),
    )
    .refine((o) => Object.keys(o).length <= 32, named('must have at most 32 keys'))
    .optional(),
};

const HOST_RULE = 'must be a host name or IP address (1–253 characters)';
const hostField = templated(
  z
    .string()
    .min(1)
    .max(253)
    .regex(/^[^\s/]+$/),
  HOST_RULE,
  253,
);
const DOMAIN_RULE = 'must be a fully qualified domain name';
const domainField = templated(
  z.string().regex(/^(?=.{1,253}\.?$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/i),
  DOMAIN_RULE,
  254,
);
const timeoutMs = z.number(named('must be an integer between 1 and 600000 (ms)')).int().min(1).max(600_000).optional();
const httpStatus = z.number().int().min(100).max(599);

/** `http`: the http collector (see the `http` action type) plus the response as a document. */
export const WorkbookHttpStepSchema = strictObject(
  {
    ...common,
    kind: z.literal('http'),
    /** http(s) URL; template values are percent-encoded, so a value cannot change the host or add path segments. */
    url: templated(
      z
        .string()
        .regex(/^https?:\/\/[^\s]+$/i)
        .refine((u) => URL.canParse(u)),
      'must be an http:// or https:// URL',
      2000,
    ),
    /** @defaultValue 'GET' */
    method: z
      .enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], named('must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS'))
      .optional(),
    /** Request headers; values may hold templates. @defaultValue {} */
    headers: z
      .record(
        z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/),
        templated(z.string().regex(/^[^\r\n]*$/), 'must be a header value without line breaks', 8192),
        named('must be an object of header name → value'),
      )
      .optional(),
    /** Request body, sent as given after templating. */
    body: templated(z.string(), 'must be text', 65_536).optional(),
    /** Accepted status code(s). @defaultValue 200 */
    expected_status: z.union([httpStatus, z.array(httpStatus).min(1).max(20)], named('must be a status code 100–599 or a list of them')).optional(),
    body_contains: boundedText(1000, 1).optional(),
    max_latency_ms: z.number().int().positive().max(600_000).optional(),
    /** @defaultValue true */
    follow_redirects: z.boolean().optional(),
    /** @defaultValue 5 */
    max_redirects: z.number().int().min(0).max(20).optional(),
    /** @defaultValue true */
    verify_tls: z.boolean().optional(),
    ca_pem: z.string().max(100_000).optional(),
    /** @defaultValue 10000 */
    timeout_ms: timeoutMs,
  },
  'an http step',
);

/** `dns`: one of the mail-posture collectors (dns_mx, dns_spf, dns_dmarc, dns_dkim, mta_sts, tls_rpt). */
export const WorkbookDnsStepSchema = strictObject(
  {
    ...common,
    kind: z.literal('dns'),
    rule: z.enum(WORKBOOK_DNS_RULES, named(`must be one of ${WORKBOOK_DNS_RULES.join(', ')}`)),
    domain: domainField,
    /** rule dkim: selectors to check (required). */
    selectors: z
      .array(z.string().regex(/^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,62})$/))
      .min(1)
      .max(20)
      .optional(),
    /** rule spf: addresses that must get `pass`. */
    senders: z
      .array(z.union([z.ipv4(), z.ipv6()]))
      .max(50)
      .optional(),
    /** rule spf. */
    mail_from: z.email().max(320).optional(),
    /** rule spf. */
    require_hard_fail: z.boolean().optional(),
    /** rule dmarc. */
    verify_external_destinations: z.boolean().optional(),
    /** rule dkim. */
    min_rsa_bits: z.number().int().min(512).max(16384).optional(),
    /** rule dkim. */
    recommended_rsa_bits: z.number().int().min(512).max(16384).optional(),
    /** rule mta_sts. */
    min_max_age: z.number().int().min(0).max(31_557_600).optional(),
    /** rule mta_sts: policy fetch timeout. */
    timeout_ms: timeoutMs,
  },
  'a dns step',
).superRefine((step, ctx) => {
  const only: Record<string, WorkbookDnsRule> = {
    selectors: 'dkim',
    min_rsa_bits: 'dkim',
    recommended_rsa_bits: 'dkim',
    senders: 'spf',
    mail_from: 'spf',
    require_hard_fail: 'spf',
    verify_external_destinations: 'dmarc',
    min_max_age: 'mta_sts',
    timeout_ms: 'mta_sts',
  };
  for (const [field, rule] of Object.entries(only)) {
    if ((step as Record<string, unknown>)[field] !== undefined && step.rule !== rule) {
      ctx.addIssue({ code: 'custom', path: [field], message: `only applies to rule ${rule}` });
    }
  }
  if (step.rule === 'dkim' && step.selectors === undefined) ctx.addIssue({ code: 'custom', path: ['selectors'], message: 'required for rule dkim' });
});

/** `tls`: the tls_cert collector (handshake, chain, host name, expiry, protocol). */
export const WorkbookTlsStepSchema = strictObject(
  {
    ...common,
    kind: z.literal('tls'),
    host: hostField,
    /** @defaultValue 443 */
    port: templatedInt(1, 65_535, 'must be a port 1–65535').optional(),
    servername: templated(z.string().min(1).max(253), 'must be a host name', 253).optional(),
    /** @defaultValue 30 */
    warn_days: z.number().int().min(0).max(3650).optional(),
    /** @defaultValue 7 */
    fail_days: z.number().int().min(0).max(3650).optional(),
    /** @defaultValue 'TLSv1.2' */
    min_protocol: z.enum(['TLSv1.2', 'TLSv1.3']).optional(),
    ca_pem: z.string().max(100_000).optional(),
    /** @defaultValue 10000 */
    timeout_ms: timeoutMs,
  },
  'a tls step',
);

/** `tcp`: the tcp_port collector (the port accepts a connection). */
export const WorkbookTcpStepSchema = strictObject(
  {
    ...common,
    kind: z.literal('tcp'),
    host: hostField,
    port: templatedInt(1, 65_535, 'must be a port 1–65535'),
    /** @defaultValue 5000 */
    timeout_ms: timeoutMs,
  },
  'a tcp step',
);

const SQL_RULE = 'must be a single SELECT or WITH query';

/**
 * `sql`: a read-only query on a named datasource (`audit` unless `datasource`
 * names another; the engine runs it in the SQL-check sandbox: least-privilege
 * role, one statement by protocol, READ ONLY, timeouts; the text rule below
 * is only an early message for mistakes). `${ctx.key}` becomes
 * a bound parameter (`$1`…), never spliced into the text: write it unquoted
 * (`WHERE name = ${ctx.name}`, `${ctx.n}::int`).
 */
export const WorkbookSqlStepSchema = strictObject(
  {
    ...common,
    kind: z.literal('sql'),
    sql: templated(z.string().min(1), SQL_RULE, 20_000).refine(
      (s) => /^\s*(select|with)\b/i.test(s) && !/;\s*\S/.test(s.replace(/'(?:[^']|'')*'/g, "''")),
      named(SQL_RULE),
    ),
    /** Rows kept in the document and evidence. @defaultValue 50 */
    max_rows: z.number().int().min(1).max(1000).optional(),
    /** Datasource the query runs on (docs/operations.md "Datasources"). @defaultValue 'audit' */
    datasource: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,62}$/, named('must be a datasource name ([a-z][a-z0-9_-]{0,62})'))
      .optional(),
  },
  'an sql step',
);

const STEP_SCHEMAS = {
  http: WorkbookHttpStepSchema,
  dns: WorkbookDnsStepSchema,
  tls: WorkbookTlsStepSchema,
  tcp: WorkbookTcpStepSchema,
  sql: WorkbookSqlStepSchema,
} as const;

/** One step; `kind` selects the collector and its parameters. */
export const WorkbookStepSchema = z.discriminatedUnion(
  'kind',
  [WorkbookHttpStepSchema, WorkbookDnsStepSchema, WorkbookTlsStepSchema, WorkbookTcpStepSchema, WorkbookSqlStepSchema],
  {
    error: (issue) => {
      const view = issue as { path?: PropertyKey[]; input?: unknown };
      const path = view.path ?? [];
      if (issue.code === 'invalid_union') {
        const kindPath = path[path.length - 1] === 'kind' ? path : [...path, 'kind'];
        const input = view.input as { kind?: unknown } | undefined;
        const missing = input !== null && typeof input === 'object' && input.kind === undefined;
        return withPath(kindPath, missing ? 'required' : `must be one of ${WORKBOOK_STEP_KINDS.join(', ')}`);
      }
      return withPath(path, 'a step must be a JSON object');
    },
  },
);
export type WorkbookStep = z.output<typeof WorkbookStepSchema>;
export type WorkbookHttpStep = z.output<typeof WorkbookHttpStepSchema>;
export type WorkbookDnsStep = z.output<typeof WorkbookDnsStepSchema>;
export type WorkbookTlsStep = z.output<typeof WorkbookTlsStepSchema>;
export type WorkbookTcpStep = z.output<typeof WorkbookTcpStepSchema>;
export type WorkbookSqlStep = z.output<typeof WorkbookSqlStepSchema>;

/** The string fields of each kind that may hold templates (`port` is a whole-value template). */
export const WORKBOOK_TEMPLATED_FIELDS: Readonly<Record<WorkbookStepKind, readonly string[]>> = {
  http: ['url', 'body'],
  dns: ['domain'],
  tls: ['host', 'servername', 'port'],
  tcp: ['host', 'port'],
  sql: ['sql'],
};

/** Every templated string of a step, with its path inside the step (headers and assertion values included). */
export function stepTemplates(step: WorkbookStep): Array<{ path: PropertyKey[]; text: string }> {
  const out: Array<{ path: PropertyKey[]; text: string }> = [];
  const record = step as unknown as Record<string, unknown>;
  for (const field of WORKBOOK_TEMPLATED_FIELDS[step.kind]) {
    const value = record[field];
    if (typeof value === 'string') out.push({ path: [field], text: value });
  }
  if (step.kind === 'http') for (const [name, value] of Object.entries(step.headers ?? {})) out.push({ path: ['headers', name], text: value });
  (step.assert ?? []).forEach((a, i) => {
    if (typeof a.value === 'string') out.push({ path: ['assert', i, 'value'], text: a.value });
  });
  return out;
}

// ---------------------------------------------------------------------------
// The spec

/** A workbook name: 1–100 characters of a–z, 0–9, ".", "_", "-" (used in URLs and action configs). */
export const WORKBOOK_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;
/** Names the API routes take for themselves. */
const RESERVED_NAMES = new Set(['schema', 'dry-run']);

export const WorkbookNameSchema = z
  .string(named('must be a workbook name: 1–100 characters of a–z, 0–9, ".", "_", "-", starting with a letter or digit'))
  .regex(WORKBOOK_NAME_PATTERN)
  .refine((name) => !RESERVED_NAMES.has(name), named('is reserved by the API (schema, dry-run)'));

/**
 * A workbook spec (`audit.workbooks.spec`, body of `POST /v1/workbooks` and
 * `POST /v1/workbooks/dry-run`). Beyond the shape, a save is refused when two
 * steps share an id, two steps extract the same key, or a template names a
 * key that no earlier step extracts — each error names its path.
 */
export const WorkbookSpecSchema = strictObject(
  {
    name: WorkbookNameSchema,
    /** On save: when given, must be the version the save creates (latest + 1), else 409. The server fills it in. */
    version: PositiveIntSchema.optional(),
    description: boundedText(2000).optional(),
    steps: z
      .array(WorkbookStepSchema, named('must be an array of steps'))
      .min(1, named('must have at least 1 step'))
      .max(50, named('must have at most 50 steps')),
  },
  'a workbook',
).superRefine((spec, ctx) => {
  const idAt = new Map<string, number>();
  const extractedBy = new Map<string, string>();
  spec.steps.forEach((step, i) => {
    const first = idAt.get(step.id);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${step.id}" (also steps[${first}])` });
    else idAt.set(step.id, i);
    for (const { path, text } of stepTemplates(step)) {
      const refs = templateReferences(text);
      if ('error' in refs) continue; // reported by the field itself
      for (const key of refs.keys) {
        if (!extractedBy.has(key)) {
          const later = spec.steps.slice(i).find((s) => s.extract && Object.hasOwn(s.extract, key));
          ctx.addIssue({
            code: 'custom',
            path: ['steps', i, ...path],
            message: `\${ctx.${key}} is not extracted by an earlier step${later ? ` (step "${later.id}" extracts it, but runs at or after this one)` : ''}`,
          });
        }
      }
    }
    for (const key of Object.keys(step.extract ?? {})) {
      const owner = extractedBy.get(key);
      if (owner !== undefined)
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'extract', key], message: `key "${key}" is already extracted by step "${owner}"` });
      else extractedBy.set(key, step.id);
    }
  });
});
export type WorkbookSpec = z.output<typeof WorkbookSpecSchema>;

/** The step schema of a kind (for editors that validate one step at a time). */
export function workbookStepSchemaOf(kind: WorkbookStepKind): z.ZodType {
  return STEP_SCHEMAS[kind];
}

/** A stored version (`audit.workbooks` row, API response). */
export const WorkbookVersionSchema = z.object({
  id: UuidSchema,
  name: WorkbookNameSchema,
  version: PositiveIntSchema,
  spec: WorkbookSpecSchema,
  created_at: UtcTimestampSchema,
});
export type WorkbookVersion = z.output<typeof WorkbookVersionSchema>;

/** Config of the `workbook` action type: the stored workbook to run. */
export const WorkbookActionConfigSchema = strictObject(
  {
    workbook: WorkbookNameSchema,
    /** A fixed version; omitted: the latest version at each run. */
    version: PositiveIntSchema.optional(),
  },
  'a workbook action config',
);
export type WorkbookActionConfig = z.output<typeof WorkbookActionConfigSchema>;
