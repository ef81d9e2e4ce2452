import { startTestHttpServer, type TestHttpServer } from '../../libs/collectors/src/testing/http-server.util';
import { loadEngineConfig } from '../../apps/engine/src/config/engine.config';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { api, createTokens, startEngine, type RunningEngine } from './support/engine-harness';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

/** The engine applies CHECK_EGRESS_DENY / CHECK_EGRESS_ALLOW to every network step, dry-runs included (issue 11, item 2). */
describe('egress policy of checks (engine)', () => {
  let db: TestDatabase;
  let engine: RunningEngine;
  let receiver: TestHttpServer;
  let token: string;
  let requests = 0;

  beforeAll(async () => {
    db = await createTestDatabase({ migrated: true });
    receiver = await startTestHttpServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    engine = await startEngine(db.url, { CHECK_EGRESS_DENY: '127.0.0.0/8,::1/128' });
    token = (await createTokens(db.url, { writer: ['actions.read', 'actions.write'] })).writer!;
  });
  afterAll(async () => {
    await engine?.close();
    await receiver?.close();
    await db?.drop();
  });

  it('a workbook dry-run cannot reach a denied address: http, tcp and tls steps are refused and the receiver sees nothing', async () => {
    const res = await api<Json>(engine.url, '/v1/workbooks/dry-run', token, {
      method: 'POST',
      body: {
        name: 'probe',
        steps: [
          { id: 'web', kind: 'http', url: `${receiver.origin}/` },
          { id: 'port', kind: 'tcp', host: '127.0.0.1', port: receiver.port },
          { id: 'cert', kind: 'tls', host: 'localhost', port: receiver.port },
          { id: 'metadata', kind: 'http', url: 'http://169.254.169.254/latest/meta-data/' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.steps.map((s: Json) => [s.id, s.status])).toEqual([
      ['web', 'error'],
      ['port', 'error'],
      ['cert', 'error'],
      ['metadata', 'error'],
    ]);
    for (const step of res.body.steps) expect(step.message).toMatch(/egress refused for/);
    expect(res.body.steps[3].message).toMatch(/169\.254\.169\.254 is denied/);
    expect(requests).toBe(0);
  });

  it('a bad CIDR in CHECK_EGRESS_DENY or CHECK_EGRESS_ALLOW stops boot naming the key, not the value', () => {
    expect(() => loadEngineConfig({ DATABASE_URL: db.url, CHECK_EGRESS_DENY: '10.0.0.0/8,secret-host.internal' })).toThrow(
      /CHECK_EGRESS_DENY.*must be a comma-separated list of CIDR blocks/s,
    );
    expect(() => loadEngineConfig({ DATABASE_URL: db.url, CHECK_EGRESS_ALLOW: '300.1.1.1/8' })).toThrow(/CHECK_EGRESS_ALLOW/);
    const error = ((): unknown => {
      try {
        return loadEngineConfig({ DATABASE_URL: db.url, CHECK_EGRESS_DENY: 'secret-host.internal' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/CHECK_EGRESS_DENY/);
    expect((error as Error).message).not.toContain('secret-host');
  });
});
