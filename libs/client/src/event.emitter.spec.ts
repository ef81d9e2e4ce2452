import { batchAnswer, startStubServer, type StubAnswer, type StubServer } from '../test-support/stub.server';
import { createEventEmitter, type EmitterOptions, type EventRejection } from './event.emitter';

const event = (i: number): Record<string, unknown> => ({
  ts: '2026-12-02T10:00:00Z',
  action: 'start',
  actor: 'system',
  engine_id: `eng-${i}`,
  metadata: { reason: 'request' },
});
const bodies = (s: StubServer): { event_id: string; engine_id: string }[][] =>
  s.requests.map((r) => JSON.parse(r.body) as { event_id: string; engine_id: string }[]);

/** Answers held until the spec opens the gate (to keep a batch in flight); then every request, held or new, gets `answer`. */
function gate(): {
  next: (body: string) => Promise<StubAnswer>;
  open: (answer: (body: string) => StubAnswer) => void;
} {
  const held: { body: string; resolve: (a: StubAnswer) => void }[] = [];
  let opened: ((body: string) => StubAnswer) | null = null;
  return {
    next: (body) => (opened ? Promise.resolve(opened(body)) : new Promise((resolve) => held.push({ body, resolve }))),
    open: (answer) => {
      opened = answer;
      for (const h of held.splice(0)) h.resolve(answer(h.body));
    },
  };
}

describe('createEventEmitter (local HTTP server as the gateway)', () => {
  let stub: StubServer | undefined;
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });
  const emitter = (s: StubServer, options: Partial<EmitterOptions> = {}) =>
    createEventEmitter({
      client: { baseUrl: s.url, token: 't' },
      flushIntervalMs: 60_000,
      retryBaseDelayMs: 1,
      ...options,
    });

  it('batches by size: 1,200 events with batchSize 500 → 3 requests of 500, 500 and 200 to the batch ingest route, each event with a client-side UUIDv7', async () => {
    stub = await startStubServer((r) => batchAnswer(r.body));
    const e = emitter(stub, { batchSize: 500, concurrency: 1 });
    const receipts = await Promise.all(Array.from({ length: 1200 }, (_, i) => e.emitLifecycle(event(i) as never)));
    const stats = await e.close();
    expect(bodies(stub).map((b) => b.length)).toEqual([500, 500, 200]);
    expect(stub.requests.every((r) => r.method === 'POST' && r.url === '/v1/lifecycle-events' && r.headers.authorization === 'Bearer t')).toBe(true);
    const ids = bodies(stub)
      .flat()
      .map((b) => b.event_id);
    expect(ids).toEqual(receipts.map((r) => r.event_id));
    expect(new Set(ids).size).toBe(1200);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]/.test(id))).toBe(true);
    expect(stats).toMatchObject({
      emitted: 1200,
      sent: 1200,
      requests: 3,
      failed: 0,
      dropped: 0,
      buffered: 0,
    });
  });

  it('batches by time: a partial batch leaves after flushIntervalMs without a flush call; tool events go to their own route', async () => {
    stub = await startStubServer((r) => batchAnswer(r.body));
    const e = emitter(stub, { flushIntervalMs: 20 });
    await e.emitTool({
      ts: '2026-12-02T10:00:00Z',
      event_id: '0192f3a4-1c2d-7e3f-8a4b-5c6d7e8f9a01',
    } as never);
    const [request] = await stub.waitForRequests(1);
    expect(request!.url).toBe('/v1/tool-events');
    expect(JSON.parse(request!.body)[0].event_id).toBe('0192f3a4-1c2d-7e3f-8a4b-5c6d7e8f9a01');
    await e.close();
  });

  it('per-event outcomes: duplicates counted, rejections handed to onReject with the reasons', async () => {
    stub = await startStubServer((r) => batchAnswer(r.body, { 1: 'duplicate', 2: 'rejected' }));
    const rejected: EventRejection[] = [];
    const e = emitter(stub, { onReject: (r) => rejected.push(r) });
    for (let i = 0; i < 4; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close();
    expect(stats).toMatchObject({ sent: 2, duplicates: 1, rejected: 1 });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.event['engine_id']).toBe('eng-2');
    expect(rejected[0]!.errors).toEqual(['[2] ts: required']);
  });

  it('503 with Retry-After: 1 → the same batch (same event_ids) again after at least a second', async () => {
    stub = await startStubServer((r, i) =>
      i === 0
        ? {
            status: 503,
            headers: {
              'content-type': 'application/problem+json',
              'retry-after': '1',
            },
            body: {
              type: 'x',
              title: 'Storage unavailable',
              status: 503,
              code: 'STORAGE_UNAVAILABLE',
            },
          }
        : batchAnswer(r.body),
    );
    const errors: { willRetry: boolean; delayMs?: number }[] = [];
    const e = emitter(stub, {
      onError: (_, c) => errors.push({ willRetry: c.willRetry, delayMs: c.delayMs }),
    });
    for (let i = 0; i < 3; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close();
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1]!.body).toBe(stub.requests[0]!.body);
    expect(stub.requests[1]!.at - stub.requests[0]!.at).toBeGreaterThanOrEqual(990);
    expect(errors).toEqual([{ willRetry: true, delayMs: 1000 }]);
    expect(stats).toMatchObject({ sent: 3, retried: 1, failed: 0 });
  });

  it('a cut connection is retried (the batch is idempotent), and the events the gateway had kept come back as duplicates', async () => {
    stub = await startStubServer((r, i) => (i === 0 ? 'destroy' : batchAnswer(r.body, { 0: 'duplicate', 1: 'duplicate' })));
    const e = emitter(stub);
    for (let i = 0; i < 3; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close();
    expect(stub.requests[1]!.body).toBe(stub.requests[0]!.body);
    expect(stats).toMatchObject({
      sent: 1,
      duplicates: 2,
      retried: 1,
      failed: 0,
    });
  });

  it('a 4xx for the whole request (here 403) is not retried: each event is handed to onReject with the problem', async () => {
    const problem = {
      type: 'https://auditstack.dev/problems/forbidden',
      title: 'Not allowed',
      status: 403,
      code: 'FORBIDDEN',
      detail: 'lifecycle events are fleet-wide',
    };
    stub = await startStubServer(() => ({
      status: 403,
      headers: { 'content-type': 'application/problem+json' },
      body: problem,
    }));
    const rejected: EventRejection[] = [];
    const e = emitter(stub, { onReject: (r) => rejected.push(r) });
    for (let i = 0; i < 2; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close();
    expect(stub.requests).toHaveLength(1);
    expect(stats).toMatchObject({ rejected: 2, retried: 0, sent: 0 });
    expect(rejected.map((r) => [r.problem?.code, r.errors])).toEqual([
      ['FORBIDDEN', ['lifecycle events are fleet-wide']],
      ['FORBIDDEN', ['lifecycle events are fleet-wide']],
    ]);
  });

  it('a 413 halves the batch and sends the same events again', async () => {
    stub = await startStubServer((r) =>
      (JSON.parse(r.body) as unknown[]).length > 2
        ? {
            status: 413,
            body: {
              type: 'x',
              title: 'Too large',
              status: 413,
              code: 'PAYLOAD_TOO_LARGE',
            },
          }
        : batchAnswer(r.body),
    );
    const e = emitter(stub, { batchSize: 4, concurrency: 1 });
    for (let i = 0; i < 4; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close();
    expect(bodies(stub).map((b) => b.length)).toEqual([4, 2, 2]);
    expect(
      bodies(stub)
        .slice(1)
        .flat()
        .map((b) => b.engine_id),
    ).toEqual(['eng-0', 'eng-1', 'eng-2', 'eng-3']);
    expect(stats).toMatchObject({ sent: 4, rejected: 0, failed: 0 });
  });

  it('retries exhausted → the events are counted failed and handed to onError (never lost silently)', async () => {
    stub = await startStubServer(() => ({ status: 503 }));
    const finals: number[] = [];
    const e = emitter(stub, {
      maxRetries: 2,
      onError: (_, c) => !c.willRetry && finals.push(c.events.length),
    });
    for (let i = 0; i < 2; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close();
    expect(stub.requests).toHaveLength(3);
    expect(finals).toEqual([2]);
    expect(stats).toMatchObject({ failed: 2, retried: 2, sent: 0 });
  });

  describe('overflow (maxBuffer 2, one batch of 1 held in flight)', () => {
    const setup = async (overflow: EmitterOptions['overflow']) => {
      const g = gate();
      stub = await startStubServer((r) => g.next(r.body));
      const dropped: string[] = [];
      const e = emitter(stub, {
        batchSize: 1,
        concurrency: 1,
        maxBuffer: 2,
        overflow,
        onDrop: (events) => dropped.push(...events.map((x) => String(x['engine_id']))),
      });
      await e.emitLifecycle(event(0) as never); // in flight
      await stub.waitForRequests(1);
      await e.emitLifecycle(event(1) as never); // buffered: the buffer is full
      const release = (): void => g.open((body) => batchAnswer(body));
      return { e, dropped, release };
    };

    it('drop-newest: the new event is dropped, counted and handed to onDrop', async () => {
      const { e, dropped, release } = await setup('drop-newest');
      expect(await e.emitLifecycle(event(2) as never)).toMatchObject({
        buffered: false,
      });
      expect(dropped).toEqual(['eng-2']);
      const closed = e.close();
      release();
      expect(await closed).toMatchObject({ sent: 2, dropped: 1 });
      expect(
        bodies(stub!)
          .flat()
          .map((b) => b.engine_id),
      ).toEqual(['eng-0', 'eng-1']);
    });

    it('drop-oldest: the oldest event not yet sent is dropped for the new one', async () => {
      const { e, dropped, release } = await setup('drop-oldest');
      expect(await e.emitLifecycle(event(2) as never)).toMatchObject({
        buffered: true,
      });
      expect(dropped).toEqual(['eng-1']);
      const closed = e.close();
      release();
      expect(await closed).toMatchObject({ sent: 2, dropped: 1 });
      expect(
        bodies(stub!)
          .flat()
          .map((b) => b.engine_id),
      ).toEqual(['eng-0', 'eng-2']);
    });

    it('throw: emit rejects with BUFFER_FULL, the event is counted dropped', async () => {
      const { e, release } = await setup('throw');
      await expect(e.emitLifecycle(event(2) as never)).rejects.toMatchObject({
        code: 'BUFFER_FULL',
      });
      const closed = e.close();
      release();
      expect(await closed).toMatchObject({ sent: 2, dropped: 1 });
    });

    it('block (default): emit waits until a batch is done, then every event is sent', async () => {
      const { e, dropped, release } = await setup(undefined);
      let admitted = false;
      const third = e.emitLifecycle(event(2) as never).then((r) => {
        admitted = true;
        return r;
      });
      await Promise.resolve();
      expect(admitted).toBe(false);
      expect(e.stats().buffered).toBe(3);
      const closed = e.close();
      release();
      expect(await third).toMatchObject({ buffered: true });
      expect(await closed).toMatchObject({ sent: 3, dropped: 0 });
      expect(dropped).toEqual([]);
      expect(
        bodies(stub!)
          .flat()
          .map((b) => b.engine_id),
      ).toEqual(['eng-0', 'eng-1', 'eng-2']);
    });
  });

  it('flush resolves once everything emitted before it is delivered; close refuses new events', async () => {
    stub = await startStubServer((r) => batchAnswer(r.body));
    const e = emitter(stub, { batchSize: 100 });
    for (let i = 0; i < 5; i++) await e.emitLifecycle(event(i) as never);
    expect(stub.requests).toHaveLength(0);
    await e.flush();
    expect(e.stats()).toMatchObject({ sent: 5, buffered: 0 });
    await e.close();
    await expect(e.emitLifecycle(event(9) as never)).rejects.toMatchObject({
      code: 'CLOSED',
    });
  });

  it('close with a timeout gives up on a gateway that never answers: the events are counted failed and handed to onError', async () => {
    stub = await startStubServer(() => new Promise<StubAnswer>(() => undefined));
    const finals: unknown[] = [];
    const e = emitter(stub, {
      onError: (error, c) => !c.willRetry && finals.push((error as { code?: string }).code),
    });
    for (let i = 0; i < 3; i++) await e.emitLifecycle(event(i) as never);
    const stats = await e.close({ timeoutMs: 50 });
    expect(stats).toMatchObject({ failed: 3, sent: 0, buffered: 0 });
    expect(finals).toEqual(['ABORTED']);
  });

  it('refuses bad settings, naming the option', () => {
    expect(() =>
      createEventEmitter({
        client: { baseUrl: 'http://127.0.0.1:1' },
        batchSize: 0,
      }),
    ).toThrow('batchSize: must be an integer 1–10000');
    expect(() =>
      createEventEmitter({
        client: { baseUrl: 'http://127.0.0.1:1' },
        overflow: 'lose' as never,
      }),
    ).toThrow('overflow: must be block');
  });
});
