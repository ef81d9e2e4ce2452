import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { TcpPortConfigSchema, collectTcpPort } from './tcp-port.collector';
import type { CollectorContext } from './collector-context.util';
import { NodeDnsResolver } from './dns-resolver.util';

describe('collectTcpPort', () => {
  const ctx = (signal?: AbortSignal): CollectorContext => ({
    resolver: new NodeDnsResolver(),
    now: () => new Date(),
    signal: signal ?? new AbortController().signal,
  });
  const run = (config: Record<string, unknown>, signal?: AbortSignal) => collectTcpPort(TcpPortConfigSchema.parse(config), ctx(signal));

  it('passes when the listener accepts', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    const checks = await run({ host: '127.0.0.1', port });
    server.close();
    expect(checks).toEqual([
      expect.objectContaining({
        check_id: 'tcp.connect',
        status: 'pass',
        target: `127.0.0.1:${port}`,
        evidence: expect.objectContaining({ remote_address: '127.0.0.1' }),
      }),
    ]);
  });

  it('fails when the port is closed', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    expect(await run({ host: '127.0.0.1', port })).toEqual([expect.objectContaining({ status: 'fail', message: expect.stringContaining('ECONNREFUSED') })]);
  });

  it('returns an error check when the run is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('run timeout'));
    expect(await run({ host: '127.0.0.1', port: 9 }, controller.signal)).toEqual([
      expect.objectContaining({ status: 'error', message: 'aborted: run timeout' }),
    ]);
  });

  it('fails a port that never answers within timeout_ms, and errors when the run is aborted first', async () => {
    // A SYN that is never answered: a socket that never connects.
    const blackhole = (): net.Socket => new net.Socket();
    const started = Date.now();
    const timedOut = await collectTcpPort(TcpPortConfigSchema.parse({ host: '192.0.2.1', port: 25, timeout_ms: 200 }), { ...ctx(), connect: blackhole });
    expect(timedOut).toEqual([expect.objectContaining({ status: 'fail', message: 'no connection within 200 ms' })]);
    const aborted = await collectTcpPort(TcpPortConfigSchema.parse({ host: '192.0.2.1', port: 25 }), { ...ctx(AbortSignal.timeout(200)), connect: blackhole });
    expect(aborted).toEqual([expect.objectContaining({ status: 'error', message: expect.stringContaining('aborted') })]);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('requires a valid port', () => {
    expect(TcpPortConfigSchema.safeParse({ host: 'x', port: 70000 }).success).toBe(false);
    expect(TcpPortConfigSchema.parse({ host: 'x', port: 22 }).timeout_ms).toBe(5000);
  });
});
