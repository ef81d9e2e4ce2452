import { request } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { ProblemSchema } from '@auditstack/audit-core';
import { clientErrorsAsProblems, frameworkErrorsAsProblems, MAX_PATH_PARAM_LENGTH } from './fastify-errors.util';

/** Raw HTTP, so the path goes on the wire exactly as written. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('errors answered before Nest are problems', () => {
  let app: FastifyInstance;
  let port: number;

  beforeAll(async () => {
    app = Fastify({
      routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
      frameworkErrors: frameworkErrorsAsProblems,
      clientErrorHandler: clientErrorsAsProblems,
    });
    app.get('/v1/items/:id', async (req) => ({ id: (req.params as { id: string }).id }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  const problem = (res: { status: number; type: string; body: string }) => {
    expect(res.type).toMatch(/^application\/problem\+json/);
    const parsed = ProblemSchema.parse(JSON.parse(res.body));
    expect(parsed.status).toBe(res.status);
    return parsed;
  };

  it('invalid percent-encoding in the path (%FF%FE): 400 VALIDATION_FAILED naming the path', async () => {
    const res = await get(port, '/v1/items/%FF%FE');
    expect(res.status).toBe(400);
    expect(problem(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: '', in: 'path', rule: 'must be valid percent-encoded UTF-8' }] });
  });

  it('a lone percent sign: 400 problem', async () => {
    expect((await get(port, '/v1/items/%')).status).toBe(400);
  });

  it('a 200-character parameter (a long name) reaches the route instead of a router 414', async () => {
    const res = await get(port, `/v1/items/${'n'.repeat(200)}`);
    expect({ status: res.status, body: JSON.parse(res.body) as unknown }).toEqual({ status: 200, body: { id: 'n'.repeat(200) } });
  });

  it(`a parameter beyond ${MAX_PATH_PARAM_LENGTH} characters: 400 problem, not Fastify's 414 JSON`, async () => {
    const res = await get(port, `/v1/items/${'a'.repeat(MAX_PATH_PARAM_LENGTH + 1)}`);
    expect(res.status).toBe(400);
    expect(problem(res).errors).toEqual([{ path: '', in: 'path', rule: `must be at most ${MAX_PATH_PARAM_LENGTH} characters` }]);
  });

  it('headers beyond the 16 KB limit: 431 problem on the raw socket', async () => {
    const res = await get(port, '/v1/items/1', { 'x-padding': 'p'.repeat(20_000) });
    expect(res.status).toBe(431);
    expect(problem(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ in: 'header' }] });
  });
});
