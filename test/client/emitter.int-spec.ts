import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createEventEmitter, type EmitterOptions, type EventRejection, type FetchLike } from '@auditstack/client';
import { lifecycleEvent, startGateway, type GatewayHarness } from '../gateway/support/gateway-harness';
import { startFaultProxy, type Fault, type FaultProxy } from './support/fault.proxy';

const ROOT = join(__dirname, '..', '..');

/** The SDK's event emitter against a real gateway on its own PostgreSQL database. */
describe('event emitter → real gateway', () => {
  let gw: GatewayHarness;
  let writer: string;
  let proxy: FaultProxy | undefined;
  let tag = 0;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('emitter', ['events.write']);
  });
  afterAll(async () => gw?.close());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  /** A fresh engine_id per test: rows are counted by it. */
  const nextEngine = (): string => `sdk-eng-${++tag}`;
  const stored = async (engineId: string): Promise<number> =>
    Number((await gw.sql.query('SELECT count(*) AS n FROM audit.lifecycle_events WHERE engine_id = $1', [engineId])).rows[0].n);
  const distinctStored = async (engineId: string): Promise<number> =>
    Number((await gw.sql.query('SELECT count(DISTINCT event_id) AS n FROM audit.lifecycle_events WHERE engine_id = $1', [engineId])).rows[0].n);
  const events = (engineId: string, n: number): Record<string, unknown>[] =>
    Array.from({ length: n }, (_, i) => lifecycleEvent({ engine_id: engineId, ts: new Date(Date.UTC(2026, 10, 20, 0, 0, 0, i)).toISOString() }));

  /** An emitter whose requests are counted (a wrapped fetch), aimed at the gateway or at a proxy in front of it. */
  const emitter = (options: Partial<EmitterOptions> & { baseUrl?: string } = {}) => {
    const requests: string[] = [];
    const counting: FetchLike = (input, init) => {
      requests.push(input);
      return fetch(input, init);
    };
    const e = createEventEmitter({
      client: { baseUrl: options.baseUrl ?? gw.url, token: writer, fetch: counting },
      retryBaseDelayMs: 10,
      flushIntervalMs: 60_000,
      ...options,
    });
    return { e, requests };
  };

  it('batching: 1,234 events with batchSize 500 → 3 requests; every event stored once, with the event_id the emitter assigned', async () => {
    const engine = nextEngine();
    const { e, requests } = emitter({ batchSize: 500, concurrency: 1 });
    const ids = await Promise.all(events(engine, 1234).map(async (ev) => (await e.emitLifecycle(ev as never)).event_id));
    const stats = await e.close();
    expect(requests).toHaveLength(3);
    expect(stats).toMatchObject({ emitted: 1234, sent: 1234, duplicates: 0, rejected: 0, failed: 0, requests: 3 });
    expect(await stored(engine)).toBe(1234);
    const rows = await gw.sql.query<{ event_id: string }>('SELECT event_id FROM audit.lifecycle_events WHERE engine_id = $1', [engine]);
    expect(new Set(rows.rows.map((r) => r.event_id))).toEqual(new Set(ids));
  });

  it('Retry-After: a 503 with Retry-After: 1 in front of the gateway → the same batch again after at least a second, stored once', async () => {
    const engine = nextEngine();
    proxy = await startFaultProxy(gw.url, (i): Fault => (i === 0 ? 'retry-after' : 'pass'));
    const delays: number[] = [];
    const { e } = emitter({ baseUrl: proxy.url, onError: (_, c) => c.willRetry && delays.push(c.delayMs!) });
    for (const ev of events(engine, 50)) await e.emitLifecycle(ev as never);
    const stats = await e.close();
    expect(proxy.seen.map((s) => s.fault)).toEqual(['retry-after', 'pass']);
    expect(proxy.seen[1]!.body).toBe(proxy.seen[0]!.body);
    expect(proxy.seen[1]!.at - proxy.seen[0]!.at).toBeGreaterThanOrEqual(990);
    expect(delays).toEqual([1000]);
    expect(stats).toMatchObject({ sent: 50, retried: 1, failed: 0 });
    expect(await stored(engine)).toBe(50);
  });

  it('idempotent retry: the answer to a stored batch is lost → the emitter re-sends it, the gateway reports every event duplicate, PostgreSQL holds each once', async () => {
    const engine = nextEngine();
    proxy = await startFaultProxy(gw.url, (i): Fault => (i === 0 ? 'cut-answer' : 'pass'));
    const { e } = emitter({ baseUrl: proxy.url });
    for (const ev of events(engine, 200)) await e.emitLifecycle(ev as never);
    const stats = await e.close();
    expect(proxy.seen.map((s) => s.fault)).toEqual(['cut-answer', 'pass']);
    expect(proxy.seen[1]!.body).toBe(proxy.seen[0]!.body);
    expect(stats).toMatchObject({ sent: 0, duplicates: 200, retried: 1, failed: 0 });
    expect(await stored(engine)).toBe(200);
    expect(await distinctStored(engine)).toBe(200);
  });

  it('the same events emitted again by another emitter (same event_ids) → reported duplicate, no new row', async () => {
    const engine = nextEngine();
    const first = emitter();
    const sent: Record<string, unknown>[] = [];
    for (const ev of events(engine, 30)) sent.push({ ...ev, event_id: (await first.e.emitLifecycle(ev as never)).event_id });
    expect(await first.e.close()).toMatchObject({ sent: 30 });
    const second = emitter();
    for (const ev of sent) await second.e.emitLifecycle(ev as never);
    expect(await second.e.close()).toMatchObject({ sent: 0, duplicates: 30 });
    expect(await stored(engine)).toBe(30);
  });

  it("the gateway's per-event rejections are handed to onReject naming field and rule; the other events are stored", async () => {
    const engine = nextEngine();
    const rejected: EventRejection[] = [];
    const { e } = emitter({ onReject: (r) => rejected.push(r) });
    const [a, b, c] = events(engine, 3);
    await e.emitLifecycle(a as never);
    await e.emitLifecycle({ ...b, action: 'teleport' } as never);
    await e.emitLifecycle(c as never);
    expect(await e.close()).toMatchObject({ sent: 2, rejected: 1 });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.event['action']).toBe('teleport');
    expect(rejected[0]!.errors.join()).toMatch(/action: unknown lifecycle action "teleport"/);
    expect(await stored(engine)).toBe(2);
  });

  it('overflow drop-newest: events emitted past a full buffer are dropped, counted and reported; stored = emitted − dropped', async () => {
    const engine = nextEngine();
    const dropped: unknown[] = [];
    const { e } = emitter({ batchSize: 50, maxBuffer: 100, overflow: 'drop-newest', onDrop: (evs) => dropped.push(...evs) });
    // Emitted without waiting for the gateway: the first 100 fill the buffer before any answer frees it.
    const receipts = await Promise.all(events(engine, 300).map((ev) => e.emitLifecycle(ev as never)));
    const stats = await e.close();
    const kept = receipts.filter((r) => r.buffered).length;
    expect(stats.dropped).toBe(300 - kept);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(dropped).toHaveLength(stats.dropped);
    expect(stats).toMatchObject({ emitted: 300, sent: kept, failed: 0 });
    expect(await stored(engine)).toBe(kept);
  });

  it('overflow block (the default): 2,000 events through a buffer of 100 → emit waits, nothing dropped, all stored', async () => {
    const engine = nextEngine();
    const { e } = emitter({ batchSize: 50, maxBuffer: 100 });
    await Promise.all(events(engine, 2000).map((ev) => e.emitLifecycle(ev as never)));
    const stats = await e.close();
    expect(stats).toMatchObject({ emitted: 2000, sent: 2000, dropped: 0, failed: 0 });
    expect(await stored(engine)).toBe(2000);
  });

  it('flush on close: events buffered below the batch size and before the interval are all stored when close() resolves', async () => {
    const engine = nextEngine();
    const { e, requests } = emitter({ batchSize: 10_000, flushIntervalMs: 3_600_000 });
    for (const ev of events(engine, 777)) await e.emitLifecycle(ev as never);
    expect(requests).toHaveLength(0);
    expect(await stored(engine)).toBe(0);
    expect(await e.close()).toMatchObject({ sent: 777, buffered: 0 });
    expect(await stored(engine)).toBe(777);
  });

  /** Runs the flushOnExit child process until it ends; returns its exit code and signal. */
  const runChild = (
    mode: 'beforeExit' | 'sigterm',
    engine: string,
    n: number,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-r', join(ROOT, 'tools', 'bin', 'register.js'), join(__dirname, 'support', 'flush-on-exit.child.ts')], {
        cwd: ROOT,
        env: { ...process.env, MODE: mode, EVENTS: String(n), ENGINE_ID: engine, GATEWAY_URL: gw.url, AUDITSTACK_TOKEN: writer },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      // SIGTERM only once the child says every event is emitted (a positive signal, not a sleep).
      child.stdout.on('data', (c: Buffer) => c.toString().includes('emitted') && child.kill('SIGTERM'));
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    });

  it('flushOnExit: a Node process that emits and lets its event loop empty (beforeExit) delivers every event', async () => {
    const engine = nextEngine();
    const { code, stderr } = await runChild('beforeExit', engine, 250);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(await stored(engine)).toBe(250);
  });

  it('flushOnExit: SIGTERM → the buffer is delivered, then the process ends by the signal', async () => {
    const engine = nextEngine();
    const { signal, stderr } = await runChild('sigterm', engine, 250);
    expect(stderr).toBe('');
    expect(signal).toBe('SIGTERM');
    expect(await stored(engine)).toBe(250);
  });
});
