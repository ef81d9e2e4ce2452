import { GATEWAY_MARKERS, LEDGER_KINDS, LEDGER_ROW_SOURCES, type LedgerKind, type LedgerRowInput, type LedgerRowSource } from '@auditstack/audit-core';
import {
  EvidenceError,
  LedgerWriter,
  RETENTION_KIND,
  type LedgerEntry,
  type LedgerHead,
  type LedgerInput,
  type RetentionTombstone,
  type VerifyInput,
  type SqlExecutor,
  retentionEntry,
} from '@auditstack/evidence';

/** One stored row to cover with a leaf. */
export interface LedgerAppendInput {
  /** Ledger kind (`LEDGER_KINDS`). */
  readonly kind: string;
  /** The row's reference within its kind (event id, run id…). */
  readonly ref: string;
  readonly ts: Date;
  /**
   * The row as written (snake_case columns). For a kind with a row source in
   * `LEDGER_ROW_SOURCES` the leaf hashes `source.payload(row)` — exactly what
   * the verifier rebuilds from the table; any other kind hashes `row` itself.
   */
  readonly row: LedgerRowInput;
}

const writer = new LedgerWriter();

/** The row source of `kind`, if rows of that kind live in a table of their own. */
export function rowSourceOf(kind: string): LedgerRowSource | undefined {
  return (LEDGER_ROW_SOURCES as Readonly<Partial<Record<string, LedgerRowSource>>>)[kind];
}

/** The payload a leaf of `kind` hashes for `row` (see {@link LedgerAppendInput.row}). */
export function ledgerPayloadOf(kind: string, row: LedgerRowInput): unknown {
  const source = rowSourceOf(kind);
  return source ? source.payload(row) : row;
}

/**
 * Appends leaves for `inputs`, in order, inside the caller's transaction
 * (ARCHITECTURE §4) and returns the entries with their `seq`.
 *
 * Writers must then store each row with `ledger_seq = entry.seq` in the same
 * transaction — at INSERT time, because the ingest role may not UPDATE event
 * tables. {@link insertLedgeredRows} does both for kinds with a row source.
 *
 * @throws EvidenceError `MALFORMED_INPUT` for a row that cannot be hashed.
 */
export async function appendLedger(tx: SqlExecutor, inputs: readonly LedgerAppendInput[]): Promise<{ entries: LedgerEntry[]; head: LedgerHead }> {
  const ledgerInputs: LedgerInput[] = inputs.map((i) => ({ kind: i.kind, ref: i.ref, ts: i.ts, payload: ledgerPayloadOf(i.kind, i.row) }));
  return writer.append(tx, ledgerInputs);
}

/**
 * Inserts rows of a kind that has a row source (lifecycle, tool, run) together
 * with their leaves, in the caller's transaction: appends the leaves first
 * (taking the ledger lock), then inserts the rows with their `ledger_seq` in
 * one statement. The inserted columns are the payload's own values, so what is
 * stored is exactly what was hashed.
 *
 * @throws EvidenceError `MALFORMED_INPUT` when the kind has no row source or a row cannot be hashed.
 */
export async function insertLedgeredRows(tx: SqlExecutor, kind: LedgerKind | string, rows: readonly LedgerRowInput[]): Promise<LedgerEntry[]> {
  const source = rowSourceOf(kind);
  if (!source) throw new EvidenceError('MALFORMED_INPUT', `kind ${JSON.stringify(kind)} has no row source; use appendLedger`);
  if (rows.length === 0) return [];
  const payloads = rows.map((r) => source.payload(r));
  const { entries } = await writer.append(
    tx,
    payloads.map((p) => ({ kind, ref: String(p[source.key]), ts: new Date(String(p[source.timeColumn])), payload: p })),
  );
  const columns = [...source.columns, 'ledger_seq'];
  const list = columns.map((c) => `"${c}"`).join(', ');
  const records = payloads.map((p, i) => ({ ...p, ledger_seq: entries[i]!.seq }));
  // json_populate_recordset types every column from the table's own row type: one statement, one parameter.
  await tx.query(`INSERT INTO ${source.table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${source.table}, $1::json)`, [
    JSON.stringify(records),
  ]);
  return entries;
}

const TOMBSTONE_REF = /^retention:([a-z_]{1,32}):(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})(?::([1-9][0-9]{0,5})d|:(declared))?$/;

/**
 * Ref of a retention tombstone written by the store: `retention:<kind>:<from>-<to>:<days>d`
 * (`:<days>d`, the retention period applied, is absent in tombstones written before it existed),
 * or `retention:<kind>:<from>-<to>:declared` for a declared range removed as a whole (the demo fleet).
 * The tombstone payload `{ kind, from_seq, to_seq, days }` is fully determined by it,
 * so no separate table has to keep tombstone payloads: the verifier rebuilds
 * each payload from the (hashed, hence tamper-evident) ref.
 */
export function tombstoneRef(t: Pick<RetentionTombstone, 'kind' | 'from_seq' | 'to_seq' | 'days' | 'declared'>): string {
  return `retention:${t.kind}:${t.from_seq}-${t.to_seq}${t.declared ? ':declared' : t.days !== undefined ? `:${t.days}d` : ''}`;
}

/** Inverse of {@link tombstoneRef}; `null` when the ref is not one (the verifier then reports the entry). */
export function tombstoneFromRef(ref: string): RetentionTombstone | null {
  const m = TOMBSTONE_REF.exec(ref);
  if (!m) return null;
  const from = Number(m[2]);
  const to = Number(m[3]);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) return null;
  return { kind: m[1]!, from_seq: from, to_seq: to, ...(m[4] !== undefined ? { days: Number(m[4]) } : {}), ...(m[5] !== undefined ? { declared: true } : {}) };
}

/**
 * Records a retention deletion in the caller's transaction (run it in the same
 * transaction as the DELETE): the rows of `kind` whose leaves have
 * `fromSeq ≤ seq < toSeq` may be gone from now on without being reported,
 * provided each is older than `days` at `ts` (the verifier checks it,
 * and that `days` is not below the pinned floor).
 */
export async function recordRetention(
  tx: SqlExecutor,
  opts: { kind: string; fromSeq: number; toSeq: number; days?: number; ts?: Date; declared?: true },
): Promise<LedgerEntry> {
  if (opts.declared && opts.days !== undefined) throw new EvidenceError('MALFORMED_INPUT', 'a declared removal applies no retention period');
  const ref = tombstoneRef({
    kind: opts.kind,
    from_seq: opts.fromSeq,
    to_seq: opts.toSeq,
    ...(opts.days !== undefined ? { days: opts.days } : {}),
    ...(opts.declared ? { declared: true as const } : {}),
  });
  const input = retentionEntry({
    ref,
    ts: opts.ts ?? new Date(),
    kind: opts.kind,
    fromSeq: opts.fromSeq,
    toSeq: opts.toSeq,
    ...(opts.days !== undefined ? { days: opts.days } : {}),
    ...(opts.declared ? { declared: true as const } : {}),
  });
  const { entries } = await writer.append(tx, [input]);
  const entry = entries[0]!;
  if (entry.seq < opts.toSeq) {
    throw new EvidenceError('MALFORMED_INPUT', `retention range ends at ${opts.toSeq}, beyond the tombstone's own seq ${entry.seq}`);
  }
  return entry;
}

/**
 * The range a stored row declares removable as a whole, for the verifier
 * (`VerifyInput.declaredRange`): only a `demo_loaded` marker does, naming the
 * leaves `[from_seq, to_seq]` of the demo fleet loaded in its transaction
 * (`count` must agree). Everything else declares nothing.
 */
export const declaredDemoRange: NonNullable<VerifyInput['declaredRange']> = (kind, payload) => {
  if (kind !== LEDGER_KINDS.marker || typeof payload !== 'object' || payload === null) return null;
  const p = payload as { marker?: unknown; details?: { from_seq?: unknown; to_seq?: unknown; count?: unknown } | null };
  if (p.marker !== GATEWAY_MARKERS.demoLoaded || typeof p.details !== 'object' || p.details === null) return null;
  const { from_seq: from, to_seq: to, count } = p.details;
  const okInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!okInt(from) || !okInt(to) || from > to || count !== to - from + 1) return null;
  return { from_seq: from, to_seq: to };
};

export { RETENTION_KIND };
