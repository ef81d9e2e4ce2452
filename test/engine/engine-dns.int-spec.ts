import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, startEngine, waitFor, type RunningEngine } from './support/engine-harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** TXT records served by the test's authoritative server; anything else is NXDOMAIN. */
const ZONE: Record<string, string[]> = {
  '_dmarc.mail.example': ['v=DMARC1; p=none; rua=mailto:reports@mail.example'],
};

/** A DNS action type run by the engine against a DNS server the test starts on 127.0.0.1 (ENGINE_DNS_SERVERS). */
describe('a DNS action type through the engine', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let dns: Socket;
  const asked: string[] = [];

  beforeAll(async () => {
    dns = createSocket('udp4');
    dns.on('message', (message, from) => {
      const query = dnsPacket.decode(message);
      const question = query.questions?.[0];
      if (!question) return;
      asked.push(`${question.type} ${question.name}`);
      const txt = question.type === 'TXT' ? ZONE[question.name.toLowerCase()] : undefined;
      const reply = dnsPacket.encode({
        id: query.id,
        type: 'response',
        flags: dnsPacket.AUTHORITATIVE_ANSWER | (txt ? 0 : 3), // rcode 3 = NXDOMAIN
        questions: query.questions,
        answers: (txt ?? []).map((data) => ({ type: 'TXT' as const, name: question.name, class: 'IN' as const, ttl: 60, data })),
      });
      dns.send(reply, from.port, from.address);
    });
    await new Promise<void>((r) => dns.bind(0, '127.0.0.1', () => r()));
    db = await createTestDatabase({ migrated: true });
    engine = await startEngine(db.url, { ENGINE_DNS_SERVERS: `127.0.0.1:${dns.address().port}` });
  });

  afterAll(async () => {
    await engine?.close();
    await db?.drop();
    dns?.close();
  });

  it('dns_dmarc reads the record from the configured server; p=none is not a pass', async () => {
    const { admin } = await createTokens(db.url, { admin: ['admin'] });
    const project = await api<Json>(engine.url, '/v1/projects', admin, { method: 'POST', body: { name: 'mail' } });
    const action = await api<Json>(engine.url, '/v1/actions', admin, {
      method: 'POST',
      body: {
        project_id: project.body.id,
        name: 'dmarc',
        action_type: 'dns_dmarc',
        schedule: '0 3 * * *',
        config: { domain: 'mail.example', verify_external_destinations: false },
      },
    });
    expect(action.status).toBe(201);
    const { body } = await api<Json>(engine.url, `/v1/actions/${action.body.id}/run`, admin, { method: 'POST' });
    const run = await waitFor('the dmarc run', async () => {
      const res = await api<Json>(engine.url, `/v1/runs/${body.run_id}`, admin);
      return res.status === 200 ? res.body : undefined;
    });
    expect(asked).toContain('TXT _dmarc.mail.example');
    expect(run.status).not.toBe('error');
    const checks: Json[] = run.output.checks;
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.some((c) => c.status === 'warn' || c.status === 'fail')).toBe(true);
    expect(JSON.stringify(checks)).toContain('p=none');
  });
});
