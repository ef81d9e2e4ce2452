import fc from 'fast-check';
import { assertLedgerCovers, lifecycleEvent, startGateway, toolEvent, type GatewayHarness } from './support/gateway-harness';

const RUNS = 10_000;
const SEED = 20261122;

/** A valid event with one field replaced, removed or added (payload-like names included). */
function mutated(base: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = [...Object.keys(base), 'event_id', 'input', 'output', 'payload', 'prompt', 'metadata', '__proto__', 'constructor', 'x'];
  return fc.oneof(
    fc.constant(base),
    fc
      .record({
        key: fc.constantFrom(...keys),
        value: fc.oneof(
          fc.jsonValue(),
          fc.string({ unit: 'binary' }),
          fc.uuid(),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        ),
      })
      .map(({ key, value }) => ({ ...base, [key]: value })),
    fc.constantFrom(...Object.keys(base)).map((key) => {
      const copy: Record<string, unknown> = { ...base };
      delete copy[key];
      return copy;
    }),
    fc
      .record({ n: fc.integer({ min: -5, max: 2 ** 40 }), key: fc.constantFrom('duration_ms', 'in_size', 'out_size', 'attempt') })
      .map(({ n, key }) => ({ ...base, [key]: n, metadata: { attempt: n } })),
  );
}

const bodyArb = (kind: 'tool' | 'lifecycle'): fc.Arbitrary<{ raw: string }> => {
  const valid = kind === 'tool' ? fc.uuid().map((id) => toolEvent({ event_id: id })) : fc.uuid().map((id) => lifecycleEvent({ event_id: id }));
  const event = fc.oneof(valid.chain(mutated), fc.jsonValue());
  return fc.oneof(
    { weight: 4, arbitrary: event.map((e) => ({ raw: JSON.stringify(e) ?? 'null' })) },
    { weight: 4, arbitrary: fc.array(event, { minLength: 0, maxLength: 8 }).map((a) => ({ raw: JSON.stringify(a) })) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }).map((raw) => ({ raw })) },
  );
};

/** ≥ 10,000 random bodies against the ingest endpoints: never a 5xx, never a partial write. */
describe('gateway ingest fuzz', () => {
  let gw: GatewayHarness;
  let writer: string;

  beforeAll(async () => {
    gw = await startGateway();
    writer = await gw.token('writer', ['events.write']);
  });
  afterAll(async () => gw?.close());

  it(`${RUNS} random bodies (seed ${SEED}): only 2xx/4xx, and the database holds exactly the accepted events, each ledger-covered`, async () => {
    const samples = fc.sample(
      fc.tuple(fc.constantFrom('tool' as const, 'lifecycle' as const), fc.constant(null)).chain(([kind]) => bodyArb(kind).map((b) => ({ kind, ...b }))),
      {
        numRuns: RUNS,
        seed: SEED,
      },
    );
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    let accepted = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < samples.length) {
        const s = samples[next++]!;
        const res = await fetch(`${gw.url}/v1/${s.kind === 'tool' ? 'tool-events' : 'lifecycle-events'}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
          body: s.raw,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = await res.text();
        if (res.status >= 500) fivexx.push(`${res.status} ${s.raw.slice(0, 200)} → ${text.slice(0, 200)}`);
        if (res.status === 200) {
          const body = JSON.parse(text) as { status?: string; accepted?: number };
          accepted += body.accepted ?? (body.status === 'accepted' ? 1 : 0);
        }
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: 32 }, worker));
    process.stdout.write(
      `fuzz: ${RUNS} bodies, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${accepted} events accepted in ${Date.now() - started} ms\n`,
    );
    expect(fivexx).toEqual([]);
    expect([...statuses.keys()].every((s) => s === 200 || s === 400 || s === 413 || s === 415)).toBe(true);
    expect(accepted).toBeGreaterThan(100);
    const stored = Number(
      (await gw.sql.query(`SELECT (SELECT count(*) FROM audit.tool_events) + (SELECT count(*) FROM audit.lifecycle_events) AS n`)).rows[0].n,
    );
    expect(stored).toBe(accepted);
    expect(await assertLedgerCovers(gw.sql)).toBe(accepted);
  });
});
