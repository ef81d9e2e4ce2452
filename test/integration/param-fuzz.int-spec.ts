import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createTokens, startEngine, type RunningEngine } from '../engine/support/engine-harness';
import { lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from '../gateway/support/gateway-harness';

type Parameter = { in: string; name: string };
type OpenApi = {
  paths: Record<string, Record<string, { parameters?: Array<Parameter | { $ref: string }> }>>;
  components?: { parameters?: Record<string, Parameter> };
};

/** A parameter, its `#/components/parameters/…` reference followed (the documents name every parameter as a component). */
function parameterOf(doc: OpenApi, raw: Parameter | { $ref: string }): Parameter | undefined {
  if (!('$ref' in raw)) return raw;
  return doc.components?.parameters?.[raw.$ref.replace('#/components/parameters/', '')];
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');
const enc = (s: string): string => encodeURIComponent(s);

/**
 * Hostile values, already as they go on the wire (percent-encoded, or raw
 * where the raw bytes are the attack: invalid UTF-8, an encoded NUL, dot
 * segments that a client library would normalise away).
 */
const HOSTILE: ReadonlyArray<[label: string, wire: string]> = [
  ['empty', ''],
  ['space', enc(' ')],
  ['NUL', '%00'],
  ['NUL inside', `a${'%00'}b`],
  ['control chars', enc('\u0001\u001f\u007f')],
  ['very long (8 KB)', 'a'.repeat(8192)],
  ['very long digits', '9'.repeat(2000)],
  ['unicode', enc('é日本語😀')],
  ['RTL override', enc('\u202eabc')],
  ['lone surrogate (invalid UTF-8)', '%ED%A0%80'],
  ['invalid UTF-8 byte', '%FF%FE'],
  ['negative', '-1'],
  ['zero', '0'],
  ['huge', '1e308'],
  ['beyond int64', '9223372036854775808'],
  ['beyond safe integer', '9007199254740993'],
  ['very negative', '-9223372036854775809'],
  ['fraction', '1.5'],
  ['NaN', 'NaN'],
  ['Infinity', 'Infinity'],
  ['hex', '0x10'],
  ['padded number', enc(' 1 ')],
  ['cursor: base64 of junk', b64('\u0000\u00ff junk')],
  ['cursor: base64 of JSON with wrong types', b64(JSON.stringify([1, { a: 2 }]))],
  ['cursor: base64 of valid-looking JSON, bad date', b64(JSON.stringify(['2026-02-30T25:61:00Z', randomUUID()]))],
  ['cursor: Date.parse-only date', b64(JSON.stringify(['1', randomUUID()]))],
  ['cursor: non-uuid id of the right length', b64(JSON.stringify(['2026-11-20T10:00:00Z', '-'.repeat(36)]))],
  ['cursor: object', b64(JSON.stringify({ ts: '2026-11-20T10:00:00Z', id: 'x' }))],
  ['cursor: huge JSON', b64(JSON.stringify(['2026-11-20T10:00:00Z', 'a'.repeat(5000)]))],
  ['cursor: not base64', enc('!!!***')],
  ['dot segments', '../../etc/passwd'],
  ['encoded dot segments', '..%2F..%2Fetc%2Fpasswd'],
  ['double-encoded', '%252e%252e%252f'],
  ['SQL quote', enc("'")],
  ['SQL injection', enc("' OR 1=1 --")],
  ['SQL stacked', enc('1; DROP TABLE audit.api_tokens; --')],
  ['dollar quote', enc('$$')],
  ['backslash', enc('\\')],
  ['date: Feb 30', enc('2026-02-30T00:00:00Z')],
  ['date: year 0', enc('0000-01-01T00:00:00Z')],
  ['date: year 275760+', enc('+275760-09-13T00:00:01Z')],
  ['date: -infinity', '-infinity'],
  ['date: epoch', enc('1970-01-01T00:00:00Z')],
  ['uuid nil', '00000000-0000-0000-0000-000000000000'],
  ['uuid max', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  ['true', 'true'],
  ['null', 'null'],
  ['JSON object', enc('{"$gt":""}')],
  ['percent alone', '%'],
  ['plus', '+'],
];

interface Target {
  service: string;
  base: URL;
  token: string;
}

interface Outcome {
  status: number;
  contentType: string;
  body: string;
}

/** One raw HTTP request (node:http sends the path exactly as given: no normalisation, no re-encoding). */
function send(target: Target, method: string, path: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const withBody = method !== 'GET' && method !== 'DELETE';
    const req = request(
      {
        host: target.base.hostname,
        port: target.base.port,
        method,
        path,
        headers: { authorization: `Bearer ${target.token}`, ...(withBody ? { 'content-type': 'application/json' } : {}) },
        // A refused request may close its connection (Node does after a 431): hostile requests get their own.
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8').slice(0, 400),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path.slice(0, 200)}`)));
    req.on('error', reject);
    req.end(withBody ? '{}' : undefined);
  });
}

/** A plausible value for a path parameter that is not the one being fuzzed. */
function plausible(name: string): string {
  if (name === 'seq' || name === 'version') return '0';
  if (name === 'id') return randomUUID();
  return 'fuzz-target';
}

/** Every (method, path) request of the fuzz for one OpenAPI document. */
function requestsOf(doc: OpenApi): Array<{ method: string; route: string; param: string; label: string; path: string }> {
  const out: Array<{ method: string; route: string; param: string; label: string; path: string }> = [];
  for (const [route, ops] of Object.entries(doc.paths)) {
    const pathParams = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      const queryParams = (op.parameters ?? [])
        .map((raw) => parameterOf(doc, raw))
        .filter((p): p is Parameter => p?.in === 'query')
        .map((p) => p.name);
      // Writes without parameters (e.g. engaging the emergency stop) have nothing to fuzz here.
      if (method !== 'GET' && pathParams.length === 0 && queryParams.length === 0) continue;
      const fill = (except?: string, wire?: string): string => route.replace(/\{([^}]+)\}/g, (_, name: string) => (name === except ? wire! : plausible(name)));
      for (const [label, wire] of HOSTILE) {
        for (const p of pathParams) out.push({ method, route, param: `{${p}}`, label, path: fill(p, wire) });
        for (const q of queryParams) {
          out.push({ method, route, param: q, label, path: `${fill()}?${q}=${wire}` });
        }
      }
      for (const q of queryParams) {
        // Repeated and bracketed keys: an array or an object where a string is expected.
        out.push({ method, route, param: q, label: 'repeated', path: `${fill()}?${q}=1&${q}=2` });
        out.push({ method, route, param: q, label: 'bracketed', path: `${fill()}?${q}[a]=1&${q}[]=2` });
      }
      if (queryParams.length > 1) {
        out.push({ method, route, param: '*', label: 'every parameter hostile', path: `${fill()}?${queryParams.map((q) => `${q}=%00'`).join('&')}` });
      }
    }
  }
  return out;
}

/**
 * Issue 11 "Tests that must exist": every query parameter and path segment of
 * every route in both services' OpenAPI documents (`/docs-json`), with hostile
 * values, authenticated as admin: never a 5xx, and every 4xx an RFC 9457
 * problem (application/problem+json). The contract property test
 * (test/contract/property.int-spec.ts) covers bodies and valid requests.
 */
describe('parameter fuzz over both OpenAPI documents', () => {
  let gw: GatewayHarness;
  let engineDb: TestDatabase;
  let engine: RunningEngine;
  const targets: Target[] = [];

  beforeAll(async () => {
    gw = await startGateway();
    engineDb = await createTestDatabase({ migrated: true });
    engine = await startEngine(engineDb.url);
    const gwAdmin = await gw.token('fuzz-admin', ['admin']);
    const { admin: engineAdmin } = await createTokens(engineDb.url, { admin: ['admin'] });
    // Some rows, so the list routes and cursors have something to page through.
    const writer = await gw.token('fuzz-writer', ['events.write']);
    await gw.call('/v1/tool-events', writer, { body: Array.from({ length: 5 }, () => toolEvent({ event_id: randomUUID() })) });
    await gw.call('/v1/lifecycle-events', writer, { body: Array.from({ length: 5 }, () => lifecycleEvent({ event_id: randomUUID() })) });
    targets.push({ service: 'gateway', base: new URL(gw.url), token: gwAdmin }, { service: 'engine', base: new URL(engine.url), token: engineAdmin! });
  }, 120_000);
  afterAll(async () => {
    await engine?.close();
    await engineDb?.drop();
    await gw?.close();
  });

  it('never answers 5xx; every 4xx is a problem', async () => {
    const failures: string[] = [];
    const routes = new Set<string>();
    let total = 0;
    for (const target of targets) {
      const res = await fetch(new URL('/docs-json', target.base));
      expect(res.status).toBe(200);
      const doc = (await res.json()) as OpenApi;
      expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
      const queue = requestsOf(doc);
      for (const r of queue) routes.add(`${target.service} ${r.method} ${r.route}`);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < queue.length) {
          const r = queue[next++]!;
          let outcome: Outcome;
          try {
            outcome = await send(target, r.method, r.path);
          } catch (error) {
            outcome = { status: 599, contentType: '', body: (error as Error).message };
          }
          total++;
          if (outcome.status >= 500) failures.push(`${target.service} ${r.method} ${r.route} ${r.param}=<${r.label}> → ${outcome.status} ${outcome.body}`);
          else if (outcome.status >= 400 && !outcome.contentType.startsWith('application/problem+json')) {
            failures.push(`${target.service} ${r.method} ${r.route} ${r.param}=<${r.label}> → ${outcome.status} not a problem (${outcome.contentType})`);
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
    }
    process.stdout.write(
      `param-fuzz: ${total} requests, ${failures.filter((f) => / → 5\d\d /.test(f)).length} 5xx, ${failures.length} failures (${routes.size} routes of the engine and gateway OpenAPI documents)\n`,
    );
    expect(failures.slice(0, 40)).toEqual([]);
    expect(total).toBeGreaterThan(2000);
  }, 600_000);
});
