import { startTestDnsServer, type TestDnsServer } from '../../libs/collectors/src/testing/dns-server.util';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every record is served with TTL 60 s by the test server. */
const ZONE = {
  'mail.example': { MX: [{ priority: 10, exchange: 'mx1.mail.example' }], TXT: ['v=spf1 mx -all'] },
  'mx1.mail.example': { A: ['192.0.2.25'] },
  '_dmarc.mail.example': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@mail.example'] },
  '_smtp._tls.mail.example': { TXT: ['v=TLSRPTv1; rua=mailto:tlsrpt@mail.example'] },
  's1._domainkey.mail.example': { TXT: ['v=DKIM1; k=rsa; p='] },
  'hang.example': { hang: true },
  '_smtp._tls.hang.example': { hang: true },
};

const TIMEOUT_MS = 800;

/**
 * The engine's DNS cache, counted at the test's DNS server: the DNS checks of
 * a mail domain run twice three seconds apart ask each (name, type) once;
 * after the TTL they ask again. The engine's clock is moved forward
 * (Date.now) instead of waiting.
 */
describe('the engine DNS cache and DNS timeouts', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let dns: TestDnsServer;
  let admin: string;
  let projectId: string;
  let offsetMs = 0;

  beforeAll(async () => {
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offsetMs);
    dns = await startTestDnsServer(ZONE);
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url, { ENGINE_DNS_SERVERS: dns.server, ENGINE_DNS_TIMEOUT_MS: String(TIMEOUT_MS), SHED_EVENT_LOOP_DELAY_MS: '0' });
    const tokens = await createTokens(db.url, { admin: ['admin'] });
    if (!tokens.admin) throw new Error('no admin token');
    admin = tokens.admin;
    const project = await api<Json>(engine.url, '/v1/projects', admin, { method: 'POST', body: { name: 'mail' } });
    projectId = project.body.id;
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    await dns?.close();
    jest.restoreAllMocks();
  });

  async function createAction(name: string, actionType: string, config: Json): Promise<string> {
    const res = await api<Json>(engine.url, '/v1/actions', admin, {
      method: 'POST',
      body: { project_id: projectId, name, action_type: actionType, schedule: '0 3 * * *', config },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function run(actionId: string): Promise<Json> {
    const { body } = await api<Json>(engine.url, `/v1/actions/${actionId}/run`, admin, { method: 'POST' });
    return waitFor(`run of ${actionId}`, async () => {
      const res = await api<Json>(engine.url, `/v1/runs/${body.run_id}`, admin);
      return res.status === 200 && res.body.status !== 'running' ? res.body : undefined;
    });
  }

  function counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const q of dns.queries) if (!q.name.startsWith('hang.')) out[`${q.type} ${q.name}`] = (out[`${q.type} ${q.name}`] ?? 0) + 1;
    return out;
  }

  it('two runs of the DNS checks three seconds apart ask each (name, type) once; after the TTL, again', async () => {
    const actions = [
      await createAction('mx', 'dns_mx', { domain: 'mail.example' }),
      await createAction('spf', 'dns_spf', { domain: 'mail.example' }),
      await createAction('dmarc', 'dns_dmarc', { domain: 'mail.example', verify_external_destinations: false }),
      await createAction('dkim', 'dns_dkim', { domain: 'mail.example', selectors: ['s1'] }),
      await createAction('tlsrpt', 'tls_rpt', { domain: 'mail.example' }),
    ];
    const first = await Promise.all(actions.map(run));
    const afterFirst = counts();
    offsetMs += 3_000;
    const second = await Promise.all(actions.map(run));
    const afterSecond = counts();
    // Each run really looked: the same checks, no errors from the cache.
    expect(second.map((r) => r.output?.checks?.length)).toEqual(first.map((r) => r.output?.checks?.length));
    expect(second.map((r) => r.status)).toEqual(first.map((r) => r.status));
    expect(Object.keys(afterFirst)).toEqual(
      expect.arrayContaining([
        'MX mail.example',
        'TXT mail.example',
        'TXT _dmarc.mail.example',
        'TXT _smtp._tls.mail.example',
        'TXT s1._domainkey.mail.example',
        'A mx1.mail.example',
      ]),
    );
    expect(afterSecond).toEqual(afterFirst);
    expect(Object.values(afterSecond).every((n) => n === 1)).toBe(true);

    offsetMs += 60_000; // past the 60 s TTL of every record
    await Promise.all(actions.map(run));
    const afterExpiry = counts();
    expect(Object.keys(afterExpiry).sort()).toEqual(Object.keys(afterFirst).sort());
    expect(Object.values(afterExpiry).every((n) => n === 2)).toBe(true);
    // The cache's own count agrees with the server's: one miss per query the server received.
    const metrics = await (await fetch(`${engine.url}/metrics`)).text();
    const misses = Number(/^auditstack_engine_dns_cache_total\{result="miss"\} (\d+)$/m.exec(metrics)?.[1]);
    const hits = Number(/^auditstack_engine_dns_cache_total\{result="hit"\} (\d+)$/m.exec(metrics)?.[1]);
    expect(misses).toBe(dns.queries.length);
    expect(hits).toBeGreaterThan(0);
    process.stdout.write(`dns queries per (type, name): ${JSON.stringify(afterExpiry)}; cache hits ${hits}, misses ${misses}\n`);
  });

  it('a DNS step whose server never answers fails with a timeout within ENGINE_DNS_TIMEOUT_MS, or the check timeout_ms', async () => {
    const slow = await createAction('hang-mx', 'dns_mx', { domain: 'hang.example' });
    let started = Date.now();
    const result = await run(slow);
    const elapsed = Date.now() - started;
    expect(result.output.checks).toEqual([expect.objectContaining({ status: 'error', message: expect.stringContaining(`no answer within ${TIMEOUT_MS} ms`) })]);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + 2_000);

    offsetMs += 10_000; // past the few seconds a failure is kept
    const quick = await createAction('hang-mx-quick', 'tls_rpt', { domain: 'hang.example', timeout_ms: 300 });
    started = Date.now();
    const quickResult = await run(quick);
    expect(Date.now() - started).toBeLessThan(300 + 2_000);
    expect(JSON.stringify(quickResult.output.checks)).toContain('no answer within 300 ms');
    process.stdout.write(`timeouts: ${elapsed} ms for ${TIMEOUT_MS}, ${Date.now() - started} ms for 300\n`);
  });
});

describe('ENGINE_DNS_CACHE_MAX_TTL_SECONDS=0', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startTestDnsServer(ZONE);
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url, { ENGINE_DNS_SERVERS: dns.server, ENGINE_DNS_CACHE_MAX_TTL_SECONDS: '0', SHED_EVENT_LOOP_DELAY_MS: '0' });
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    await dns?.close();
  });

  it('turns the cache off: every run asks again', async () => {
    const { admin } = await createTokens(db.url, { admin: ['admin'] });
    const project = await api<Json>(engine.url, '/v1/projects', admin, { method: 'POST', body: { name: 'mail' } });
    const action = await api<Json>(engine.url, '/v1/actions', admin, {
      method: 'POST',
      body: { project_id: project.body.id, name: 'tlsrpt', action_type: 'tls_rpt', schedule: '0 3 * * *', config: { domain: 'mail.example' } },
    });
    for (let i = 0; i < 2; i += 1) {
      const { body } = await api<Json>(engine.url, `/v1/actions/${action.body.id}/run`, admin, { method: 'POST' });
      await waitFor('the run', async () => {
        const res = await api<Json>(engine.url, `/v1/runs/${body.run_id}`, admin);
        return res.status === 200 && res.body.status !== 'running' ? res.body : undefined;
      });
    }
    expect(dns.queries.filter((q) => q.name === '_smtp._tls.mail.example')).toHaveLength(2);
  });
});
