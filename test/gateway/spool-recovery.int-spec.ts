import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonlSpool } from '../../apps/gateway/src/storage/jsonl-spool.store';
import { assertLedgerCovers, startGatewayBehindProxy, toolEvent, type GatewayHarness } from './support/gateway-harness';
import { storedCounts, waitFor } from './support/spool-faults';
import type { TcpProxy } from './support/tcp-proxy';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const day = (): string => new Date().toISOString().slice(0, 10);

/**
 * Spool files damaged under a running `auto` gateway while PostgreSQL is
 * down — a torn line, a corrupt line in the middle, a file renamed away —
 * and each time, once PostgreSQL is back, every acknowledged event replayed
 * into PostgreSQL exactly once.
 */
describe('spool recovery (auto backend, PostgreSQL down)', () => {
  let gw: GatewayHarness;
  let proxy: TcpProxy;
  let writer: string;
  let spool: string;
  const acknowledged: string[] = [];

  const details = async (): Promise<Json> => ((await (await gw.call('/ping?details=true')).json()) as Json)['details'] as Json;

  /** Posts `n` tool events in one request; all must be acknowledged (200, accepted). */
  const post = async (n: number, tag: string): Promise<string[]> => {
    const events = Array.from({ length: n }, (_, i) => toolEvent({ event_id: randomUUID(), req_id: `${tag}-${i}` }));
    const res = await gw.call('/v1/tool-events', writer, { body: events });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; backend: string };
    expect(body).toMatchObject({ accepted: n, backend: 'jsonl' });
    const ids = events.map((e) => String(e['event_id']));
    acknowledged.push(...ids);
    return ids;
  };

  /** PostgreSQL back, replay drained; then PostgreSQL cut again for the next case. */
  const recover = async (): Promise<void> => {
    await proxy.restore();
    expect(await waitFor(async () => (await details())['fallback_active'] === false, 20_000)).toBe(true);
    expect(await waitFor(async () => (await details())['spool_bytes'] === 0, 20_000)).toBe(true);
  };
  const outage = async (): Promise<void> => {
    await proxy.cut();
    // The first write after the cut enters the fallback.
    await post(1, 'enter-fallback');
    expect((await details())['fallback_active']).toBe(true);
  };

  const expectExactlyOnce = async (label: string): Promise<void> => {
    const counts = await storedCounts(gw.sql, acknowledged);
    process.stdout.write(`spool-recovery (${label}): ${acknowledged.length} acknowledged, ${counts.stored} stored, ${counts.duplicates} duplicates\n`);
    expect(counts).toEqual({ stored: acknowledged.length, total: acknowledged.length, duplicates: 0 });
  };

  beforeAll(async () => {
    const started = await startGatewayBehindProxy({ AUDIT_BACKEND: 'auto', AUDIT_FALLBACK_SECONDS: '1' });
    gw = started;
    proxy = started.proxy;
    spool = join(gw.home, 'spool');
    writer = await gw.token('writer', ['events.write']);
    // Verified once while PostgreSQL is up, so the gateway vouches for the token during outages.
    const warmUp = randomUUID();
    expect((await gw.call('/v1/tool-events', writer, { body: toolEvent({ req_id: 'warm-up', event_id: warmUp }) })).status).toBe(200);
    acknowledged.push(warmUp);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('torn line: bytes of a write that never completed are cut before the next append; replay stores every acknowledged event once', async () => {
    await outage();
    await post(20, 'torn-before');
    const file = join(spool, `tool_audit_${day()}.jsonl`);
    // What a crash or a failed write leaves: the start of a line, no newline.
    await appendFile(file, '{"v":1,"type":"tool","record":{"event_id":"');
    await post(20, 'torn-after');
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    // Every line whole: the torn bytes are gone, nothing was glued to them.
    for (const l of text.split('\n').filter((x) => x !== '')) expect(() => JSON.parse(l)).not.toThrow();
    await recover();
    await expectExactlyOnce('torn line');
    expect((await gw.sql.query(`SELECT count(*)::int AS n FROM audit.gateway_markers WHERE marker = 'spool_line_quarantined'`)).rows[0].n).toBe(0);
  });

  it('quarantined line: a corrupt line in the middle of a file goes to quarantine/ with a ledgered marker, the rest is replayed once', async () => {
    await outage();
    await post(10, 'q-before');
    const name = `tool_audit_${day()}.jsonl`;
    const file = join(spool, name);
    // Disk corruption in the middle of the file (a line of garbage), then more acknowledged events after it.
    await appendFile(file, 'garbage \u0000 that is not JSON\n');
    await post(10, 'q-after');
    await recover();
    await expectExactlyOnce('quarantined line');
    const markers = await gw.sql.query<{ details: Json }>(`SELECT details FROM audit.gateway_markers WHERE marker = 'spool_line_quarantined'`);
    expect(markers.rows.map((r) => r.details)).toEqual([
      expect.objectContaining({ file: name, reason: 'not a JSON object', quarantine_file: `quarantine/${name}` }),
    ]);
    const quarantined = (await readFile(join(spool, 'quarantine', name), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json);
    expect(quarantined).toEqual([expect.objectContaining({ file: name, line: markers.rows[0]!.details['line'], raw: 'garbage \u0000 that is not JSON' })]);
  });

  it('renamed spool file: the next events go to a new file (inode check), and the file brought back as <prefix>_<day>.<tag>.jsonl replays too, each event once', async () => {
    await outage();
    const name = `tool_audit_${day()}.jsonl`;
    await post(15, 'r-before');
    // An operator moves the open spool file aside while the gateway runs.
    await mkdir(join(gw.home, 'aside'), { recursive: true });
    await rename(join(spool, name), join(gw.home, 'aside', name));
    const after = await post(15, 'r-after');
    const fresh = (await readFile(join(spool, name), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as Json)['record']['event_id']);
    expect(fresh).toEqual(after);
    // spool_bytes is true: the moved file's bytes are no longer counted (a fresh count from the files agrees).
    const probe = new JsonlSpool(spool);
    await probe.refreshPendingBytes();
    expect((await details())['spool_bytes']).toBe(probe.pendingBytes);
    expect(probe.pendingBytes).toBeGreaterThan(0);
    // ...and brings it back under a replayable name.
    await writeFile(join(spool, `tool_audit_${day()}.returned.jsonl`), await readFile(join(gw.home, 'aside', name)));
    await recover();
    await expectExactlyOnce('renamed file');
    expect((await readdir(spool)).filter((n) => n.endsWith('.replayed')).sort()).toEqual(
      [`gateway_markers_${day()}.jsonl.replayed`, `${name}.replayed`, `tool_audit_${day()}.returned.jsonl.replayed`].sort(),
    );
    // The returned copy also holds the corrupt line of the previous case: quarantined again, as a line of that other file.
    const quarantines = await gw.sql.query<{ file: string }>(
      `SELECT details->>'file' AS file FROM audit.gateway_markers WHERE marker = 'spool_line_quarantined' ORDER BY ts`,
    );
    expect(quarantines.rows.map((r) => r.file)).toEqual([name, `tool_audit_${day()}.returned.jsonl`]);
    // The ledger covers every event and marker (fallback start and end of each of the 3 outages, 2 quarantines).
    const markers = Number((await gw.sql.query('SELECT count(*) AS n FROM audit.gateway_markers')).rows[0].n);
    expect(markers).toBe(8);
    expect(await assertLedgerCovers(gw.sql)).toBe(acknowledged.length + markers);
  });
});
