import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import { ProblemSchema } from '@auditstack/audit-core';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createTokens, startEngine, type RunningEngine } from '../engine/support/engine-harness';
import { lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from '../gateway/support/gateway-harness';
import { objectMutations, resolveRef, valueArbitrary, type JsonSchema, type Mutation } from './support/json-schema-arbitrary';

/**
 * The property test of the HTTP contract, generated from the committed
 * OpenAPI documents (openapi/engine.json, openapi/gateway.json): both services
 * booted for real; for every operation, random VALID requests drawn from the
 * parameter and body schemas, and random INVALID ones (wrong types,
 * out-of-range numbers, unknown enum values, missing required fields, unknown
 * keys on strict objects, huge strings, hostile path segments, bodies that are
 * not JSON). Properties: never a 5xx; every 4xx is application/problem+json
 * parsing with ProblemSchema with the status it was sent with; every 400
 * names a field in `errors[]` (path problems may name it in `detail`), and a
 * 400 caused by breaking a known field names that field.
 *
 * Reproduce a run with PROPERTY_SEED=<seed printed in the summary>.
 */

const ROOT = join(__dirname, '..', '..');
const SEED = Number(process.env.PROPERTY_SEED ?? Date.now() % 2_147_483_647);
const VALID_PER_OPERATION = 80;
const INVALID_BODY_PER_OPERATION = 120;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

type Document = JsonSchema & { paths: Record<string, Record<string, OperationObject>> };
interface OperationObject {
  operationId: string;
  parameters?: unknown[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  security?: unknown[];
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}

interface Case {
  readonly service: string;
  readonly operation: string;
  readonly method: string;
  /** The raw request target, sent byte for byte (no client-side normalisation). */
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly valid: boolean;
  readonly kind: string;
  /** The field the case broke (a dotted body path, a query or path parameter), when known. */
  readonly field?: string;
  readonly where?: 'body' | 'query' | 'path';
}

/** Path segments an attacker sends, as they go on the wire. */
const HOSTILE_SEGMENTS: ReadonlyArray<[string, string]> = [
  ['dot-dot', '..'],
  ['encoded dot-dot slash', '..%2F..%2Fetc%2Fpasswd'],
  ['NUL', '%00'],
  ['invalid UTF-8', '%FF%FE'],
  ['lone surrogate', '%ED%A0%80'],
  ['SQL quote', '%27%20OR%201%3D1--'],
  ['very long (4 KB)', 'a'.repeat(4096)],
  ['huge number', '9'.repeat(400)],
  ['negative', '-1'],
  ['unicode', encodeURIComponent('é日本😀')],
  ['percent alone', '%'],
];

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** Valid cases share kept-alive connections; invalid ones get their own (a refused request may close its connection, as Node does after a 431). */
function send(base: URL, token: string, c: Case): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent: c.valid ? agent : false,
        host: base.hostname,
        port: base.port,
        method: c.method,
        path: c.path,
        headers: { authorization: `Bearer ${token}`, ...(c.body !== undefined ? { 'content-type': c.contentType ?? 'application/json' } : {}) },
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(c.body);
  });
}

const wire = (value: unknown): string =>
  typeof value === 'string' ? value : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);

/** Every request case of one document, drawn with the seeded random source. */
function casesOf(service: string, document: Document, seed: number): Case[] {
  const cases: Case[] = [];
  let run = seed;
  const sample = <T>(arbitrary: fc.Arbitrary<T>, count: number): T[] => fc.sample(arbitrary, { numRuns: count, seed: run++ });
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (op.parameters ?? []).map((raw) => resolveRef(document, raw) as unknown as Parameter);
      const pathParams = params.filter((p) => p.in === 'path');
      const queryParams = params.filter((p) => p.in === 'query');
      const querySchema: JsonSchema = {
        type: 'object',
        properties: Object.fromEntries(queryParams.map((p) => [p.name, p.schema])),
        required: queryParams.filter((p) => p.required).map((p) => p.name),
      };
      // Valid requests leave out `cursor` (only the server issues one) ; invalid ones break one parameter of a query that is otherwise minimal.
      const validQuerySchema: JsonSchema = {
        ...querySchema,
        properties: Object.fromEntries(queryParams.filter((p) => p.name !== 'cursor').map((p) => [p.name, p.schema])),
      };
      const minimalQuerySchema: JsonSchema = {
        ...querySchema,
        properties: Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, p.schema])),
      };
      const jsonBody = op.requestBody?.content['application/json']?.schema;
      const otherBody = op.requestBody && !jsonBody ? Object.keys(op.requestBody.content)[0] : undefined;
      const base = { service, operation: op.operationId, method: method.toUpperCase() };

      const pathArb = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, valueArbitrary(document, p.schema)])));
      const queryArb = valueArbitrary(document, validQuerySchema) as fc.Arbitrary<Record<string, unknown>>;
      const bodyArb = jsonBody ? valueArbitrary(document, jsonBody) : fc.constant(undefined);
      const fill = (values: Record<string, unknown>, raw: Record<string, string> = {}): string =>
        template.replace(/\{([^}]+)\}/g, (_, name: string) => raw[name] ?? encodeURIComponent(wire(values[name])));
      const queryString = (query: Record<string, unknown>): string => {
        const search = new URLSearchParams();
        for (const [key, value] of Object.entries(query)) if (value !== undefined) search.append(key, wire(value));
        const text = search.toString();
        return text ? `?${text}` : '';
      };
      const bodyText = (body: unknown): string | undefined => (jsonBody ? JSON.stringify(body) : otherBody ? 'not a valid document' : undefined);

      // VALID: every parameter and the body drawn from their schemas.
      const valids = sample(fc.tuple(pathArb, queryArb, bodyArb), VALID_PER_OPERATION);
      for (const [path, query, body] of valids) {
        cases.push({ ...base, path: `${fill(path)}${queryString(query)}`, body: bodyText(body), contentType: otherBody, valid: true, kind: 'valid' });
      }
      const [path0, , body0] = valids[0]!;
      const prefix = fill(path0);
      // Invalid cases break one thing of a request whose query is otherwise minimal (required parameters only).
      const query0 = sample(valueArbitrary(document, minimalQuerySchema), 1)[0] as Record<string, unknown>;

      // INVALID query parameters: each broken alone.
      if (queryParams.length > 0) {
        for (const mutation of objectMutations(document, querySchema, query0 as never)) {
          if (mutation.kind === 'unknown key on a strict object') continue;
          cases.push({
            ...base,
            path: `${prefix}${queryString((mutation.value ?? {}) as Record<string, unknown>)}`,
            body: bodyText(body0),
            contentType: otherBody,
            valid: false,
            kind: `query: ${mutation.kind}`,
            field: mutation.certain ? mutation.field : undefined,
            where: 'query',
          });
        }
      }
      // INVALID path segments.
      for (const p of pathParams) {
        for (const [label, segment] of HOSTILE_SEGMENTS) {
          cases.push({
            ...base,
            path: `${fill(path0, { [p.name]: segment })}${queryString(query0)}`,
            body: bodyText(body0),
            contentType: otherBody,
            valid: false,
            kind: `path: ${label}`,
            field: p.name,
            where: 'path',
          });
        }
      }
      // INVALID bodies: a valid body broken at one field (a sample of all the ways), and bodies that are no object at all.
      if (jsonBody) {
        const mutations: Mutation[] = valids.slice(0, 8).flatMap(([, , body]) => objectMutations(document, jsonBody, body as never));
        const chosen =
          mutations.length <= INVALID_BODY_PER_OPERATION
            ? mutations
            : sample(fc.shuffledSubarray(mutations, { minLength: INVALID_BODY_PER_OPERATION, maxLength: INVALID_BODY_PER_OPERATION }), 1)[0]!;
        for (const mutation of chosen) {
          cases.push({
            ...base,
            path: `${prefix}${queryString(query0)}`,
            body: mutation.value === undefined ? '' : JSON.stringify(mutation.value),
            valid: false,
            kind: `body: ${mutation.kind}`,
            field: mutation.certain ? mutation.field : undefined,
            where: 'body',
          });
        }
        for (const [label, text] of [
          ['not JSON', '{"a":'],
          ['JSON null', 'null'],
          ['JSON string', '"text"'],
          ['JSON number', '42'],
          ['deeply nested', `${'['.repeat(2000)}${']'.repeat(2000)}`],
        ] as const) {
          cases.push({ ...base, path: `${prefix}${queryString(query0)}`, body: text, valid: false, kind: `body: ${label}`, where: 'body' });
        }
      }
    }
  }
  return cases;
}

/** Whether a 400 names `field` (its own path, a path inside it, or — for path parameters — the detail). */
function namesField(problem: { errors?: Array<{ path: string; rule?: string; in?: string }>; detail?: string }, c: Case): boolean {
  if (!c.field) return true;
  const field = c.field;
  const parent = field.includes('.') ? field.slice(0, field.lastIndexOf('.')) : '';
  const key = field.slice(field.lastIndexOf('.') + 1);
  const named = (problem.errors ?? []).some(
    (e: { path: string; rule?: string; in?: string }) =>
      e.path === field ||
      e.path.startsWith(`${field}.`) ||
      e.path.startsWith(`${field}[`) ||
      (e.path !== '' && field.startsWith(`${e.path}.`)) ||
      // An unknown key is reported on the object that holds it, the rule naming the key.
      (e.path === parent && (e.rule ?? '').includes(key)) ||
      // The router refuses a malformed path before any parameter is known: it names the path.
      (c.where === 'path' && e.in === 'path'),
  );
  return named || (c.where === 'path' && (problem.detail ?? '').includes(field));
}

describe('property test: random valid and invalid requests from the committed OpenAPI documents', () => {
  let gateway: GatewayHarness;
  let engineDb: TestDatabase;
  let engine: RunningEngine;
  const targets: Array<{ service: string; base: URL; token: string; document: Document }> = [];

  beforeAll(async () => {
    // Load shedding is off here: the subject is the contract, and a shed 503 on a busy test machine is not a bug (it has its own spec).
    gateway = await startGateway({ SHED_EVENT_LOOP_DELAY_MS: '0' });
    engineDb = await createTestDatabase({ migrated: true });
    engine = await startEngine(engineDb.url, { SHED_EVENT_LOOP_DELAY_MS: '0' });
    const gatewayAdmin = await gateway.token('property-admin', ['admin']);
    const { admin: engineAdmin } = await createTokens(engineDb.url, { admin: ['admin'] });
    // Some rows, so lists, cursors and lookups have something to page through.
    const writer = await gateway.token('property-writer', ['events.write']);
    await gateway.call('/v1/lifecycle-events', writer, { body: Array.from({ length: 5 }, () => lifecycleEvent({ event_id: randomUUID() })) });
    await gateway.call('/v1/tool-events', writer, { body: Array.from({ length: 5 }, () => toolEvent({ event_id: randomUUID() })) });
    for (const [service, base, token] of [
      ['engine', engine.url, engineAdmin!],
      ['gateway', gateway.url, gatewayAdmin],
    ] as const) {
      const document = JSON.parse(readFileSync(join(ROOT, 'openapi', `${service}.json`), 'utf8')) as Document;
      targets.push({ service, base: new URL(base), token, document });
    }
  }, 120_000);

  afterAll(async () => {
    agent.destroy();
    await engine?.close();
    await engineDb?.drop();
    await gateway?.close();
  });

  it('each booted service serves exactly its committed document at /docs-json', async () => {
    for (const target of targets) {
      const served = (await (await fetch(new URL('/docs-json', target.base))).json()) as unknown;
      expect({ service: target.service, served }).toEqual({ service: target.service, served: target.document });
    }
  });

  it('never a 5xx; every 4xx a problem; every 400 names the field', async () => {
    const failures: string[] = [];
    const stats = { requests: 0, fiveXx: 0, valid: 0, invalid: 0, fourXx: 0, twoXx: 0, operations: 0 };
    for (const target of targets) {
      const cases = casesOf(target.service, target.document, SEED);
      stats.operations += new Set(cases.map((c) => c.operation)).size;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const where = `${c.service} ${c.method} ${c.path.slice(0, 120)} [${c.kind}${c.field ? ` ${c.field}` : ''}]`;
          let res: { status: number; contentType: string; body: string };
          try {
            res = await send(target.base, target.token, c);
          } catch (error) {
            res = { status: 599, contentType: '', body: (error as Error).message };
          }
          stats.requests++;
          stats[c.valid ? 'valid' : 'invalid']++;
          if (res.status >= 500) {
            stats.fiveXx++;
            failures.push(`${where} → ${res.status} ${res.body.slice(0, 300)}`);
            continue;
          }
          if (res.status < 300) stats.twoXx++;
          if (res.status < 400) continue;
          stats.fourXx++;
          if (!res.contentType.startsWith('application/problem+json')) {
            failures.push(`${where} → ${res.status} with content-type ${res.contentType}`);
            continue;
          }
          let body: unknown;
          try {
            body = JSON.parse(res.body);
          } catch {
            failures.push(`${where} → ${res.status} body is not JSON`);
            continue;
          }
          const problem = ProblemSchema.safeParse(body);
          if (!problem.success || problem.data.status !== res.status) {
            failures.push(`${where} → ${res.status} not a problem of that status: ${res.body.slice(0, 200)}`);
            continue;
          }
          if (res.status === 400) {
            const p = problem.data;
            const anyField =
              (p.errors ?? []).length > 0 || (c.where === 'path' && !!c.field && (p.detail ?? '').includes(c.field)) || p.code === 'MALFORMED_BODY';
            if (!anyField) failures.push(`${where} → 400 ${p.code} names no field: ${res.body.slice(0, 200)}`);
            else if (!namesField(p, c) && p.code !== 'MALFORMED_BODY')
              failures.push(`${where} → 400 does not name ${c.field}: ${JSON.stringify(p.errors).slice(0, 200)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    }
    console.log(
      `property test: ${stats.requests} requests, ${stats.fiveXx} 5xx (seed ${SEED}; ${stats.operations} operations; ${stats.valid} valid, ${stats.invalid} invalid; ${stats.twoXx} 2xx, ${stats.fourXx} 4xx; ${failures.length} failures)`,
    );
    if (process.env.PROPERTY_FAILURES_FILE) writeFileSync(process.env.PROPERTY_FAILURES_FILE, failures.join('\n'));
    expect(failures.slice(0, 40)).toEqual([]);
    expect(stats.requests).toBeGreaterThan(3000);
  }, 300_000);
});
