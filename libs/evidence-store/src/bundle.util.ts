import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  EvidenceError,
  FileAnchorSink,
  LedgerWriter,
  LocalStamper,
  NoteKeyring,
  RETENTION_KIND,
  Rfc3161Stamper,
  type LedgerEntry,
  type PayloadLookup,
  type RetentionTombstone,
  type Stamper,
  type StoredCheckpoint,
  type VerifyPolicy,
  type VerifyProblem,
  type VerifyReport,
  verifierKeyOf,
  verifyEvidence,
} from '@auditstack/evidence';
import { EvidenceStoreError } from './evidence-store.error';
import { checkpointFromJson, checkpointToJson, entryFromJson, entryToJson } from './evidence-json.util';
import { type EvidenceService, type VerifyProgress, readTombstones } from './evidence.service';
import { declaredDemoRange } from './ledger-append.util';
import { fetchRowPayloads, readCheckpoints, streamLedger } from './ledger-read.util';
import { withTransaction } from './sql.util';
import { readTrustRoot } from './trust-file.util';

/** Format tag of `manifest.json`. */
export const BUNDLE_FORMAT = 'auditstack-evidence-bundle/v1';

/** Files of a bundle, relative to its folder. */
export const BUNDLE_FILES = {
  ledger: 'ledger.jsonl',
  payloads: 'payloads.jsonl',
  checkpoints: 'checkpoints.jsonl',
  anchors: 'anchors.jsonl',
  keys: 'keys/trusted-keys.txt',
  tsaCert: 'keys/tsa.pem',
} as const;

/** `manifest.json` of an export bundle. */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  origin: string;
  exported_at: string;
  tree_size: number;
  /** Payloads were exported for leaves with `from ≤ seq < to` (and for every retention tombstone). */
  payload_range: { from: number; to: number };
  /** Verification policy at export time (tail and cadence are judged at `exported_at`). */
  policy: VerifyPolicy;
  counts: { entries: number; payloads: number; checkpoints: number; anchors: number; keys: number };
  files: Record<string, { sha256: string; bytes: number }>;
}

/** A JSONL writer that hashes what it writes. */
class HashingWriter {
  private readonly hash = createHash('sha256');
  private buffered: string[] = [];
  private size = 0;
  bytes = 0;
  lines = 0;

  private constructor(private readonly fh: FileHandle) {}

  static async open(path: string): Promise<HashingWriter> {
    return new HashingWriter(await open(path, 'wx', 0o644));
  }

  async line(value: unknown): Promise<void> {
    const text = `${JSON.stringify(value)}\n`;
    this.buffered.push(text);
    this.size += text.length;
    this.lines++;
    if (this.size > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const chunk = Buffer.from(this.buffered.join(''), 'utf8');
    this.buffered = [];
    this.size = 0;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    await this.fh.write(chunk);
  }

  async close(): Promise<{ sha256: string; bytes: number }> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }
}

async function fileDigest(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: statSync(path).size };
}

/**
 * Writes an export bundle into `dir` (created; must not hold a bundle) from
 * one consistent snapshot: every ledger entry (hashes only, so chain, tree and
 * checkpoints verify in full), the canonical payload of each row whose leaf
 * lies in `[from, to)` plus every retention tombstone, all checkpoints, a copy
 * of the anchor file, the trusted verifier keys (and the TSA certificate when
 * RFC 3161 is configured), and `manifest.json` with counts and the SHA-256 of
 * each file. Give a third party the bundle and, separately, the anchor file and
 * the verifier key from their own trusted copies.
 */
export async function exportBundle(service: EvidenceService, dir: string, range: { from?: number; to?: number } = {}): Promise<BundleManifest> {
  const out = resolve(dir);
  mkdirSync(join(out, 'keys'), { recursive: true });
  if (existsSync(join(out, 'manifest.json'))) throw new EvidenceStoreError('INVALID_ARGUMENT', `${out} already holds a bundle`);
  const exportedAt = new Date();
  return withTransaction(
    service.db,
    async (tx) => {
      const head = await LedgerWriter.readHead(tx);
      const from = range.from ?? 0;
      const to = Math.min(range.to ?? head.size, head.size);
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
        throw new EvidenceStoreError('INVALID_ARGUMENT', `--from ${from} --to ${to} is not a range within 0..${head.size}`);
      }
      const files: BundleManifest['files'] = {};
      const ledger = await HashingWriter.open(join(out, BUNDLE_FILES.ledger));
      const payloads = await HashingWriter.open(join(out, BUNDLE_FILES.payloads));
      const tombstones = await readTombstones(tx);
      // The row declaring a declared tombstone's range travels with it, like the tombstone itself: the verifier needs it.
      const declaring = new Set([...tombstones.values()].filter((t) => (t as RetentionTombstone).declared).map((t) => (t as RetentionTombstone).to_seq));
      let batch: LedgerEntry[] = [];
      const flush = async (): Promise<void> => {
        const wanted = batch.filter((e) => e.kind !== RETENTION_KIND && ((e.seq >= from && e.seq < to) || declaring.has(e.seq)));
        const lookups = await fetchRowPayloads(tx, wanted);
        for (let i = 0; i < wanted.length; i++) {
          const got = lookups[i]!;
          if (got.found) await payloads.line({ seq: wanted[i]!.seq, kind: wanted[i]!.kind, ref: wanted[i]!.ref, payload: got.payload });
        }
        for (const e of batch) {
          const t = e.kind === RETENTION_KIND ? tombstones.get(e.seq) : undefined;
          if (t) await payloads.line({ seq: e.seq, kind: e.kind, ref: e.ref, payload: t });
        }
        batch = [];
      };
      for await (const e of streamLedger(tx, { to: head.size })) {
        await ledger.line(entryToJson(e));
        batch.push(e);
        if (batch.length >= 2000) await flush();
      }
      await flush();
      files[BUNDLE_FILES.ledger] = await ledger.close();
      files[BUNDLE_FILES.payloads] = await payloads.close();

      const checkpoints = await HashingWriter.open(join(out, BUNDLE_FILES.checkpoints));
      const cps = await readCheckpoints(tx);
      for (const c of cps) await checkpoints.line(checkpointToJson(c));
      files[BUNDLE_FILES.checkpoints] = await checkpoints.close();

      let anchors = 0;
      const anchorCopy = join(out, BUNDLE_FILES.anchors);
      if (existsSync(service.anchorFile)) {
        copyFileSync(service.anchorFile, anchorCopy);
        anchors = readFileSync(anchorCopy, 'utf8').split('\n').filter(Boolean).length;
      } else writeFileSync(anchorCopy, '');
      files[BUNDLE_FILES.anchors] = await fileDigest(anchorCopy);

      // The pinned trust root as it is: its keys and its policy floor (the retention floor travels with the keys).
      const root = service.trustRoot();
      const keys = root.keys.map(
        (e) =>
          `${verifierKeyOf(e.key)}${e.notBefore ? ` notBefore=${e.notBefore.toISOString()}` : ''}${e.notAfter ? ` notAfter=${e.notAfter.toISOString()}` : ''}`,
      );
      writeFileSync(join(out, BUNDLE_FILES.keys), `policy retention_floor_days=${root.retentionFloorDays}\n${keys.join('\n')}\n`);
      files[BUNDLE_FILES.keys] = await fileDigest(join(out, BUNDLE_FILES.keys));
      const tsa = service.tsaCertificateFile();
      if (tsa) {
        copyFileSync(tsa, join(out, BUNDLE_FILES.tsaCert));
        files[BUNDLE_FILES.tsaCert] = await fileDigest(join(out, BUNDLE_FILES.tsaCert));
      }

      const manifest: BundleManifest = {
        format: BUNDLE_FORMAT,
        origin: service.origin,
        exported_at: exportedAt.toISOString(),
        tree_size: head.size,
        payload_range: { from, to },
        policy: service.verifyPolicy(),
        counts: { entries: ledger.lines, payloads: payloads.lines, checkpoints: cps.length, anchors, keys: keys.length },
        files,
      };
      writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    },
    { isolation: 'repeatable read', readOnly: true },
  );
}

async function* readJsonl(path: string): AsyncGenerator<{ value: unknown; line: number }> {
  if (!existsSync(path)) return;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new EvidenceError('MALFORMED_INPUT', `${path}:${line} is not JSON`, { path });
    }
    yield { value, line };
  }
}

/** Options of {@link verifyBundle}. */
export interface VerifyBundleOptions {
  /** The anchor file from its own trust domain. @defaultValue the bundle's copy */
  readonly anchorFile?: string;
  /** Trusted verifier keys from a trusted source. @defaultValue the bundle's `keys/trusted-keys.txt` */
  readonly trustFile?: string;
  /** Expected origin. @defaultValue the manifest's */
  readonly origin?: string;
  readonly onProgress?: (p: VerifyProgress) => void;
}

/**
 * Verifies an export bundle offline, with no database: every file against the
 * manifest's SHA-256, then the full evidence check (chain, tree, checkpoints,
 * signatures, timestamps, anchors, payload re-hash of the exported range).
 * Tail and cadence are judged at the export time.
 */
export async function verifyBundle(dir: string, opts: VerifyBundleOptions = {}): Promise<VerifyReport & { manifest: BundleManifest | null }> {
  const root = resolve(dir);
  const extra: VerifyProblem[] = [];
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as BundleManifest;
    if (manifest.format !== BUNDLE_FORMAT) throw new Error(`format is ${JSON.stringify(manifest.format)}, expected ${BUNDLE_FORMAT}`);
  } catch (err) {
    const problem: VerifyProblem = { code: 'MALFORMED_INPUT', detail: `bundle manifest unreadable: ${(err as Error).message}` };
    return {
      ok: false,
      problems: [problem],
      counts: {
        entries: 0,
        payloadsChecked: 0,
        payloadsSkipped: 0,
        pruned: 0,
        rows: 0,
        checkpoints: 0,
        validCheckpoints: 0,
        anchors: 0,
        anchorsChecked: false,
        beforeAnchoring: 0,
        anchorsPending: 0,
        problems: 1,
        byCode: { MALFORMED_INPUT: 1 },
      },
      manifest: null,
    };
  }
  for (const [name, expected] of Object.entries(manifest.files ?? {})) {
    const path = join(root, name);
    if (!existsSync(path)) {
      extra.push({ code: 'MALFORMED_INPUT', detail: `bundle file ${name} is missing` });
      continue;
    }
    const got = await fileDigest(path);
    if (got.sha256 !== expected.sha256) extra.push({ code: 'MALFORMED_INPUT', detail: `bundle file ${name} does not match its manifest SHA-256` });
  }
  for (const name of [BUNDLE_FILES.ledger, BUNDLE_FILES.checkpoints, BUNDLE_FILES.payloads]) {
    if (!manifest.files?.[name]) extra.push({ code: 'MALFORMED_INPUT', detail: `manifest does not list ${name}` });
  }

  const trust = readTrustRoot(opts.trustFile ?? join(root, BUNDLE_FILES.keys));
  const keyring = new NoteKeyring(trust.keys);
  const stampers: Record<string, Pick<Stamper, 'verify'>> = { local: new LocalStamper({ keyring }) };
  const tsaPem = join(root, BUNDLE_FILES.tsaCert);
  if (existsSync(tsaPem)) stampers['rfc3161'] = new Rfc3161Stamper({ url: 'http://offline.invalid/', tsaCertificatePem: readFileSync(tsaPem, 'utf8') });

  // Payloads of the exported range, keyed by (kind, ref); tombstones by seq.
  const payloads = new Map<string, unknown>();
  const tombstones = new Map<number, unknown>();
  const rows: { kind: string; ref: string }[] = [];
  const checkpoints: StoredCheckpoint[] = [];
  try {
    for await (const { value, line } of readJsonl(join(root, BUNDLE_FILES.payloads))) {
      const r = value as { seq?: unknown; kind?: unknown; ref?: unknown; payload?: unknown };
      if (typeof r.seq !== 'number' || typeof r.kind !== 'string' || typeof r.ref !== 'string' || r.payload === undefined) {
        throw new EvidenceError('MALFORMED_INPUT', `${BUNDLE_FILES.payloads}:${line} is not { seq, kind, ref, payload }`);
      }
      if (r.kind === RETENTION_KIND) tombstones.set(r.seq, r.payload);
      else {
        const key = `${r.kind}\u0000${r.ref}`;
        payloads.set(key, payloads.has(key) ? { duplicate_rows: [payloads.get(key), r.payload] } : r.payload);
        rows.push({ kind: r.kind, ref: r.ref });
      }
    }
    for await (const { value, line } of readJsonl(join(root, BUNDLE_FILES.checkpoints))) {
      checkpoints.push(checkpointFromJson(value, `${BUNDLE_FILES.checkpoints}:${line}`));
    }
  } catch (err) {
    extra.push({ code: 'MALFORMED_INPUT', detail: (err as Error).message });
  }

  async function* entries(): AsyncGenerator<LedgerEntry> {
    for await (const { value, line } of readJsonl(join(root, BUNDLE_FILES.ledger))) yield entryFromJson(value, `${BUNDLE_FILES.ledger}:${line}`);
  }
  const total = manifest.counts?.entries ?? 0;
  const onProgress = opts.onProgress;
  const report = await verifyEvidence({
    entries: entries(),
    fetchPayloads: async (keys): Promise<PayloadLookup[]> =>
      keys.map((k) => {
        const key = `${k.kind}\u0000${k.ref}`;
        return payloads.has(key) ? { found: true, payload: payloads.get(key) } : { found: false };
      }),
    rows,
    tombstones,
    declaredRange: declaredDemoRange,
    checkpoints,
    anchors: new FileAnchorSink(opts.anchorFile ?? join(root, BUNDLE_FILES.anchors)).readAll(),
    keyring,
    origin: opts.origin ?? manifest.origin,
    stampers,
    payloadRange: manifest.payload_range,
    policy: { ...manifest.policy, retentionFloorDays: trust.retentionFloorDays, now: new Date(manifest.exported_at) },
    ...(onProgress ? { onProgress: (p) => onProgress({ ...p, total }) } : {}),
  });
  return mergeProblems(report, extra, manifest);
}

function mergeProblems(report: VerifyReport, extra: readonly VerifyProblem[], manifest: BundleManifest): VerifyReport & { manifest: BundleManifest } {
  if (extra.length === 0) return { ...report, manifest };
  const byCode = { ...report.counts.byCode };
  for (const p of extra) byCode[p.code] = (byCode[p.code] ?? 0) + 1;
  return {
    ok: false,
    problems: [...extra, ...report.problems],
    counts: { ...report.counts, problems: report.counts.problems + extra.length, byCode },
    manifest,
  };
}
