import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import {
  CheckpointWriter,
  DEFAULT_CHECKPOINT_POLICY,
  EvidenceError,
  FileAnchorSink,
  LedgerWriter,
  LocalStamper,
  NoteKeyring,
  RETENTION_KIND,
  Rfc3161Stamper,
  type AnchorRecord,
  type CheckpointPolicy,
  type CheckpointReason,
  type LedgerEntry,
  type NoteSigner,
  type PayloadLookup,
  type SqlExecutor,
  type Stamper,
  type VerifyPolicy,
  type VerifyProblem,
  type VerifyReport,
  EMPTY_ROOT,
  SUBTREE_CACHE_MIN_LEVEL,
  type LeafRange,
  consistencyProofRanges,
  emptyVerifyCounts,
  hashLeafRangesFrom,
  inclusionProofRanges,
  generateNoteKey,
  loadOrCreateNoteSigner,
  openCheckpoint,
  parseAnchorRecord,
  verifierKeyOf,
  verifyConsistency,
  verifyEvidence,
  verifyInclusion,
} from '@auditstack/evidence';
import { GATEWAY_MARKERS, LEDGER_KINDS, LEDGER_ROW_SOURCES } from '@auditstack/audit-core';
import { EvidenceStoreError } from './evidence-store.error';
import { type CheckpointJson, type LedgerEntryJson, checkpointToJson, entryToJson } from './evidence-json.util';
import { declaredDemoRange, insertLedgeredRows, tombstoneFromRef } from './ledger-append.util';
import {
  type CheckpointRecord,
  fetchRowPayloads,
  readCheckpoints,
  ledgerSubtreeSource,
  readLedgerEntry,
  streamLedgerPages,
  streamRowKeys,
} from './ledger-read.util';
import { type SqlPool, withTransaction } from './sql.util';
import type { TrustState } from './trust-state.util';
import { checkDerivedTables } from './derived-tables.util';
import { ensureDir } from './fs-dir.util';
import { DEFAULT_RETENTION_FLOOR_DAYS, type TrustRoot, appendTrustedKey, readTrustRoot, writeTrustRoot } from './trust-file.util';
import { anchorRegression, readTrustState, recordTrustState } from './trust-state.util';

/** Ledger entries per page (and per row-lookup batch) when verifying online. */
const VERIFY_PAGE_SIZE = 2000;

/** Default checkpoint origin (and signing key name) when none is configured. */
export const DEFAULT_EVIDENCE_ORIGIN = 'auditstack.local/ledger';

/** How checkpoints are timestamped. */
export type StamperSettings =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'rfc3161';
      /** TSA endpoint (HTTP POST, `application/timestamp-query`). */
      readonly url: string;
      /** PEM file of the TSA signing certificate. */
      readonly certFile: string;
      /** @defaultValue 10000 */
      readonly timeoutMs?: number;
    };

/** Options of {@link EvidenceService}. Paths default under `home`. */
export interface EvidenceServiceOptions {
  readonly db: SqlPool;
  /** @defaultValue `$AUDITSTACK_HOME`, else `./.auditstack` */
  readonly home?: string;
  /** Checkpoint origin and key name. @defaultValue {@link DEFAULT_EVIDENCE_ORIGIN} */
  readonly origin?: string;
  /** Ed25519 note key, created (0600) on first use. @defaultValue `<home>/keys/checkpoint.key` */
  readonly keyFile?: string;
  /** Anchor JSONL; put it on other storage. @defaultValue `<home>/anchors/anchors.jsonl` */
  readonly anchorFile?: string;
  /**
   * The pinned trust root (see `readTrustRoot`): written at first start with
   * the signing key's verifier key and the retention floor; `verify` trusts
   * only its keys. @defaultValue `<home>/keys/trusted-keys.txt`
   */
  readonly trustFile?: string;
  /** What this host last saw of checkpoints and anchors (see `TrustState`). @defaultValue `<home>/keys/trust-state.json` */
  readonly trustStateFile?: string;
  /** Retention floor written into a new trust file. @defaultValue {@link DEFAULT_RETENTION_FLOOR_DAYS} */
  readonly retentionFloorDays?: number;
  /** Grace on top of the cadence before an uncovered leaf or unanchored checkpoint is late (seconds). @defaultValue 60 */
  readonly verifyGraceSeconds?: number;
  /** Told once when the trust root is pinned (print it: the operator must keep a copy out of band). */
  readonly onNotice?: (message: string) => void;
  /** @defaultValue `{ kind: 'local' }` */
  readonly stamper?: StamperSettings;
  /** Checkpoint cadence. @defaultValue {@link DEFAULT_CHECKPOINT_POLICY} */
  readonly policy?: Partial<CheckpointPolicy>;
  /** Clock. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
}

/** What a made checkpoint looks like to callers. */
export interface CheckpointMade {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly checkpointHash: string;
  readonly note: string;
  readonly timestampKind: string;
}

/** Progress of a verification: `total` is the number of ledger entries when known. */
export interface VerifyProgress {
  readonly phase: 'checkpoints' | 'entries' | 'rows' | 'anchors' | 'done';
  readonly done: number;
  readonly total: number;
}

/** Options of {@link EvidenceService.verifyOnline}. */
export interface VerifyOnlineOptions {
  readonly onProgress?: (p: VerifyProgress) => void;
  /** Anchor file to check against. @defaultValue the configured anchor file */
  readonly anchorFile?: string;
  /** Trust only the keys of this file (plus nothing else). @defaultValue own key + configured trust file */
  readonly trustFile?: string;
  /** Override parts of the derived verification policy. */
  readonly policy?: VerifyPolicy;
  /** Read only this many bytes of the anchor file (its size when the snapshot began). @defaultValue the whole file */
  readonly anchorBytes?: number;
  /** The trust state as read before the snapshot began. @defaultValue read from the trust state file */
  readonly trustState?: StateRead;
}

/** The trust state as `verify` read it. */
export interface StateRead {
  readonly state: TrustState | null;
  readonly path: string;
  readonly problem: VerifyProblem | null;
}

/** An inclusion proof and the checkpoint it verifies against (hashes hex). */
export interface InclusionProofJson {
  seq: number;
  tree_size: number;
  leaf_hash: string;
  proof: string[];
  entry: LedgerEntryJson;
  checkpoint: CheckpointJson;
}

/** A consistency proof between tree sizes `from` and `to` (hashes hex). */
export interface ConsistencyProofJson {
  from: number;
  to: number;
  old_root: string;
  new_root: string;
  proof: string[];
  /** The checkpoint of size `to` the proof verifies against. */
  checkpoint: CheckpointJson;
  /** The checkpoint of size `from`, when one was made at that size. */
  old_checkpoint: CheckpointJson | null;
}

/**
 * The PostgreSQL side of the evidence ledger (ARCHITECTURE §4), for the
 * gateway, the engine and the CLI: checkpoints on cadence with anchors,
 * online verification, export bundles and proofs. Framework-free.
 */
export class EvidenceService {
  readonly home: string;
  readonly origin: string;
  readonly keyFile: string;
  readonly anchorFile: string;
  readonly trustFile: string;
  readonly trustStateFile: string;
  readonly policy: CheckpointPolicy;
  private trustChecked = false;
  private signerValue: NoteSigner | undefined;
  private stamperValue: Stamper | undefined;
  private writerValue: CheckpointWriter | undefined;
  private readonly now: () => Date;

  constructor(private readonly opts: EvidenceServiceOptions) {
    this.home = resolve(opts.home ?? process.env['AUDITSTACK_HOME'] ?? '.auditstack');
    this.origin = opts.origin ?? DEFAULT_EVIDENCE_ORIGIN;
    this.keyFile = resolve(opts.keyFile ?? join(this.home, 'keys', 'checkpoint.key'));
    this.anchorFile = resolve(opts.anchorFile ?? join(this.home, 'anchors', 'anchors.jsonl'));
    this.trustFile = resolve(opts.trustFile ?? join(this.home, 'keys', 'trusted-keys.txt'));
    this.trustStateFile = resolve(opts.trustStateFile ?? join(this.home, 'keys', 'trust-state.json'));
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...opts.policy };
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * The checkpoint signing key, loaded or created (mode 0600) on first use. A
   * created key signs nothing until it is pinned (see {@link maybeCheckpoint}).
   *
   * @throws EvidenceError `KEY_FILE_INVALID` naming the path and the setting (e.g. a read-only filesystem).
   */
  signer(): NoteSigner {
    if (!this.signerValue) {
      try {
        ensureDir(dirname(this.keyFile));
        this.signerValue = loadOrCreateNoteSigner({ path: this.keyFile, name: this.origin });
      } catch (err) {
        if (err instanceof EvidenceError) throw err;
        throw new EvidenceError(
          'KEY_FILE_INVALID',
          `cannot create the checkpoint key ${this.keyFile} (${fsReason(err)}): set EVIDENCE_KEY_FILE to a writable path (the same key for gateway, engine and CLI)`,
          { path: this.keyFile },
          { cause: err },
        );
      }
    }
    return this.signerValue;
  }

  /** The public verifier key string of {@link signer} (give it to whoever verifies offline). */
  verifierKey(): string {
    return verifierKeyOf(this.signer());
  }

  /**
   * The pinned trust root: the configured trust file, or `trustFile`. Never the key on disk.
   *
   * @throws EvidenceError `TRUST_ROOT_MISSING`, `MALFORMED_INPUT`
   */
  trustRoot(trustFile?: string): TrustRoot {
    return readTrustRoot(trustFile ?? this.trustFile);
  }

  /** Trusted keys: those of the pinned trust root (the configured trust file, or `trustFile`). */
  keyring(trustFile?: string): NoteKeyring {
    return new NoteKeyring(this.trustRoot(trustFile).keys);
  }

  /**
   * No trust on first use, and no silent key change: before signing, the
   * signing key must be in the pinned trust file. At first start (no trust
   * file, no checkpoint in the database) the key is pinned: the trust file is
   * written and {@link EvidenceServiceOptions.onNotice} told once. Without a
   * trust file but with checkpoints (an upgrade), the key is pinned only if it
   * signed the newest checkpoint. Anything else — a key file deleted and
   * re-created, or replaced — is refused until the old key is restored or an
   * operator resets the trust root ({@link trustCurrentKey}).
   *
   * @throws EvidenceError `KEY_NOT_TRUSTED`
   */
  private async ensureTrusted(tx: SqlExecutor): Promise<void> {
    if (this.trustChecked) return;
    const own = this.signer();
    const vkey = verifierKeyOf(own);
    const pinned = existsSync(this.trustFile) ? this.trustRoot() : null;
    if (pinned?.keys.some((e) => e.key.name === own.name && e.key.keyId === own.keyId)) {
      this.trustChecked = true;
      return;
    }
    const refuse = (why: string): never => {
      throw new EvidenceError(
        'KEY_NOT_TRUSTED',
        `refusing to sign with ${vkey.split('+').slice(0, 2).join('+')}: ${why}. Restore the key file that signed the existing checkpoints (${this.keyFile}), or, if it is truly lost, run \`auditstack checkpoint --trust-current-key\` (an explicit, recorded reset of the trust root)`,
        { path: this.keyFile },
      );
    };
    if (pinned) refuse(`it is not in the pinned trust file ${this.trustFile}`);
    const { rows } = await tx.query<{ note: string }>('SELECT note FROM audit.checkpoints ORDER BY tree_size DESC, id DESC LIMIT 1');
    if (rows[0]) {
      try {
        openCheckpoint(rows[0].note, new NoteKeyring([{ key: own }]), this.origin);
      } catch {
        refuse(`there is no trust file (${this.trustFile}) and this key did not sign the newest checkpoint (was the key file deleted?)`);
      }
    }
    this.pin(vkey, rows[0] ? 'pinned the key that signed the newest checkpoint (upgrade)' : 'pinned at first start');
    this.trustChecked = true;
  }

  /**
   * Pins the trust root now if this is the first start (see {@link ensureTrusted}), without
   * making a checkpoint: `auditstack up` calls it to print the trust file once, like the admin token.
   *
   * @returns whether this call wrote the trust file, its path and the signing key's verifier key
   * @throws EvidenceError `KEY_NOT_TRUSTED`
   */
  async pinTrustRoot(): Promise<{ pinned: boolean; trustFile: string; verifierKey: string }> {
    const before = this.pinnedNow;
    await withTransaction(this.opts.db, (tx) => this.ensureTrusted(tx));
    return { pinned: this.pinnedNow && !before, trustFile: this.trustFile, verifierKey: this.verifierKey() };
  }

  private pinnedNow = false;

  private pin(vkey: string, why: string): void {
    try {
      writeTrustRoot(this.trustFile, vkey, this.opts.retentionFloorDays ?? DEFAULT_RETENTION_FLOOR_DAYS, this.now());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw new EvidenceError(
        'KEY_NOT_TRUSTED',
        `cannot write the trust file ${this.trustFile} (${fsReason(err)}): set EVIDENCE_TRUST_FILE to a writable path`,
        { path: this.trustFile },
        { cause: err },
      );
    }
    this.pinnedNow = true;
    this.opts.onNotice?.(
      `evidence trust root ${why}: ${this.trustFile}\n  verifier key: ${vkey}\n  Keep a copy of this file out of band (another host, a password manager): \`auditstack verify --trust <copy>\` is what catches someone who controls this host.`,
    );
  }

  /**
   * Operator reset: adds the current signing key to the pinned trust file (the
   * old keys stay, so old checkpoints still verify), with a dated comment.
   * Use it when the old key is truly lost; it is what `verify --trust <your
   * out-of-band copy>` will then show as an unknown key, by design.
   */
  trustCurrentKey(reason: string): string {
    const vkey = this.verifierKey();
    if (!existsSync(this.trustFile)) writeTrustRoot(this.trustFile, vkey, this.opts.retentionFloorDays ?? DEFAULT_RETENTION_FLOOR_DAYS, this.now());
    else if (!this.trustRoot().keys.some((e) => verifierKeyOf(e.key) === vkey))
      appendTrustedKey(this.trustFile, vkey, `operator reset at ${this.now().toISOString()}: ${reason}`);
    this.trustChecked = false;
    return vkey;
  }

  /** Verifiers by timestamp kind for `keyring`. */
  stampVerifiers(keyring: NoteKeyring): Record<string, Pick<Stamper, 'verify'>> {
    const out: Record<string, Pick<Stamper, 'verify'>> = { local: new LocalStamper({ keyring }) };
    const s = this.opts.stamper;
    if (s?.kind === 'rfc3161') out['rfc3161'] = new Rfc3161Stamper({ url: s.url, tsaCertificatePem: readFileSync(s.certFile, 'utf8') });
    return out;
  }

  /**
   * Rotates the signing key while the old one still exists, on the record: a
   * `marker` leaf `evidence_key_rotation` (old and new verifier keys, reason)
   * is appended and covered by a checkpoint signed with the OLD key; only then
   * is the new key added to the trust file and put in place of the old one
   * (kept beside it as `<key file>.retired-<time>`). Old checkpoints keep
   * verifying (the old key stays trusted); update the out-of-band copy.
   *
   * @throws EvidenceError `KEY_NOT_TRUSTED` when the current key is not pinned (a lost key needs {@link trustCurrentKey}).
   */
  async rotateKey(reason: string): Promise<{ oldKey: string; newKey: string; markerSeq: number; checkpoint: CheckpointMade }> {
    const oldKey = this.verifierKey();
    const next = generateNoteKey(this.origin);
    const markerSeq = await withTransaction(this.opts.db, async (tx) => {
      await this.ensureTrusted(tx);
      const [entry] = await insertLedgeredRows(tx, LEDGER_KINDS.marker, [
        { id: randomUUID(), ts: this.now(), marker: GATEWAY_MARKERS.evidenceKeyRotation, details: { old_key: oldKey, new_key: next.verifierKey, reason } },
      ]);
      return entry!.seq;
    });
    const checkpoint = await this.checkpointNow();
    const stamp = this.now().toISOString().replace(/[:.]/g, '-');
    const staged = `${this.keyFile}.next`;
    writeFileSync(staged, `${next.signerKey}\n`, { mode: 0o600, flag: 'wx' });
    appendTrustedKey(
      this.trustFile,
      next.verifierKey,
      `rotation at ${this.now().toISOString()}, ledgered at seq ${markerSeq}, covered by checkpoint ${checkpoint.treeSize} signed with the old key: ${reason}`,
    );
    renameSync(this.keyFile, `${this.keyFile}.retired-${stamp}`);
    renameSync(staged, this.keyFile);
    this.signerValue = undefined;
    this.stamperValue = undefined;
    this.writerValue = undefined;
    this.trustChecked = false;
    return { oldKey, newKey: next.verifierKey, markerSeq, checkpoint };
  }

  /**
   * The verification policy that matches the checkpoint cadence: a leaf is late once
   * it has waited the cadence plus the grace since it was appended (never a count of
   * leaves, never the event's own time).
   */
  verifyPolicy(): VerifyPolicy {
    const grace = this.opts.verifyGraceSeconds ?? 60;
    return {
      maxUncoveredSeconds: this.policy.everySeconds + grace,
      anchorGraceSeconds: this.policy.everySeconds + grace,
      heartbeatSeconds: this.policy.heartbeatSeconds,
      cadenceGraceSeconds: Math.max(grace, 300),
    };
  }

  private stamper(): Stamper {
    if (!this.stamperValue) {
      const s = this.opts.stamper ?? { kind: 'local' };
      this.stamperValue =
        s.kind === 'rfc3161'
          ? new Rfc3161Stamper({ url: s.url, tsaCertificatePem: readFileSync(s.certFile, 'utf8'), ...(s.timeoutMs ? { timeoutMs: s.timeoutMs } : {}) })
          : new LocalStamper({ signer: this.signer(), now: this.now });
    }
    return this.stamperValue;
  }

  private writer(): CheckpointWriter {
    this.writerValue ??= new CheckpointWriter({ origin: this.origin, signer: this.signer(), stamper: this.stamper(), policy: this.policy, now: this.now });
    return this.writerValue;
  }

  private anchorSink(path = this.anchorFile): FileAnchorSink {
    ensureDir(dirname(path), 0o755);
    return new FileAnchorSink(path);
  }

  private async appendAnchor(record: AnchorRecord): Promise<void> {
    try {
      await this.anchorSink().append(record);
    } catch (err) {
      if (err instanceof EvidenceError) throw err;
      throw new EvidenceError(
        'ANCHOR_MISSING',
        `checkpoint ${record.treeSize} committed but its anchor could not be written to ${this.anchorFile} (${fsReason(err)}): set EVIDENCE_ANCHOR_FILE to writable storage shared by gateway and engine`,
        { path: this.anchorFile, checkpoint: record.treeSize },
        { cause: err },
      );
    }
    try {
      recordTrustState(this.trustStateFile, this.anchorFile, { treeSize: record.treeSize, hash: record.checkpointHash }, this.now());
    } catch (err) {
      throw new EvidenceError(
        'ANCHOR_MISSING',
        `cannot write the trust state ${this.trustStateFile} (${fsReason(err)}): set EVIDENCE_TRUST_STATE_FILE to a writable path`,
        { path: this.trustStateFile },
        { cause: err },
      );
    }
  }

  /**
   * Makes a checkpoint if the cadence says one is due (every N leaves, every T
   * seconds when grown, heartbeat, shutdown), in its own transaction, and
   * appends its anchor after the commit. Returns null when none was due.
   */
  async maybeCheckpoint(reason: CheckpointReason = 'tick'): Promise<CheckpointMade | null> {
    const made = await withTransaction(this.opts.db, async (tx) => {
      await this.ensureTrusted(tx);
      return this.writer().maybeCreate(tx, reason);
    });
    if (!made) return null;
    // After COMMIT: an anchor of a rolled-back checkpoint would read as tampering.
    await this.appendAnchor(made.anchor);
    return {
      treeSize: made.anchor.treeSize,
      rootHash: made.anchor.rootHash,
      checkpointHash: made.anchor.checkpointHash,
      note: made.anchor.note,
      timestampKind: made.anchor.timestampKind,
    };
  }

  /** Makes a checkpoint now, whatever the cadence. */
  async checkpointNow(): Promise<CheckpointMade> {
    return (await this.maybeCheckpoint('force'))!;
  }

  /**
   * Verifies the whole evidence trail online in one consistent snapshot
   * (REPEATABLE READ, read-only): ledger, rows (via `LEDGER_ROW_SOURCES`,
   * batched), checkpoints, the anchor file and trusted keys, streaming.
   */
  async verifyOnline(options: VerifyOnlineOptions = {}): Promise<VerifyReport> {
    // The anchor file is measured before the snapshot starts: every anchor in that prefix was
    // appended after its checkpoint committed, so the snapshot holds it. Anchors appended while
    // a long verification runs belong to checkpoints the snapshot cannot see; they are not read.
    // The trust state is read first: everything it records was committed before it was written.
    const trustState = this.readStateFor(options);
    const anchorBytes = anchorFileSize(options.anchorFile ?? this.anchorFile);
    return withTransaction(this.opts.db, (tx) => this.verifyWith(tx, { ...options, anchorBytes, trustState }), {
      isolation: 'repeatable read',
      readOnly: true,
    });
  }

  /** The trust state `verify` compares with, or a finding when it is unreadable. */
  private readStateFor(options: VerifyOnlineOptions): StateRead {
    if (options.trustState) return options.trustState;
    try {
      return { state: readTrustState(this.trustStateFile), path: this.trustStateFile, problem: null };
    } catch (err) {
      return { state: null, path: this.trustStateFile, problem: { code: 'MALFORMED_INPUT', detail: (err as Error).message } };
    }
  }

  /** {@link verifyOnline} on a caller's connection (e.g. inside a transaction it will roll back). */
  async verifyWith(tx: SqlExecutor, options: VerifyOnlineOptions = {}): Promise<VerifyReport> {
    let root: TrustRoot;
    try {
      root = this.trustRoot(options.trustFile);
    } catch (err) {
      if (!(err instanceof EvidenceError)) throw err;
      return failedReport([{ code: err.code, detail: err.message }]);
    }
    const keyring = new NoteKeyring(root.keys);
    const stateRead = options.trustState ?? this.readStateFor(options);
    const anchorFile = resolve(options.anchorFile ?? this.anchorFile);
    const head = await LedgerWriter.readHead(tx);
    const checkpoints = await readCheckpoints(tx);
    const tombstones = await readTombstones(tx);
    const total = head.size;
    const onProgress = options.onProgress;
    // Pipelining: each ledger page's row lookups are sent as soon as the page arrives, so the
    // database answers them while the verifier hashes; the verifier's batches are the same pages.
    const prefetched: { keys: { kind: string; ref: string }[]; result: Promise<PayloadLookup[]> }[] = [];
    async function* pages(): AsyncGenerator<LedgerEntry[]> {
      for await (const page of streamLedgerPages(tx, {}, VERIFY_PAGE_SIZE)) {
        const keys = page.filter((e) => e.kind !== RETENTION_KIND).map((e) => ({ kind: e.kind, ref: e.ref }));
        const result = fetchRowPayloads(tx, keys);
        result.catch(() => undefined);
        prefetched.push({ keys, result });
        yield page;
      }
    }
    const fetchPayloads = (keys: readonly { readonly kind: string; readonly ref: string }[]): Promise<PayloadLookup[]> => {
      const next = prefetched.shift();
      if (next && next.keys.length === keys.length && next.keys.every((k, i) => k.kind === keys[i]!.kind && k.ref === keys[i]!.ref)) return next.result;
      prefetched.length = 0;
      return fetchRowPayloads(tx, keys);
    };
    const report = await verifyEvidence({
      entries: [],
      entryPages: pages(),
      fetchPayloads,
      batchSize: VERIFY_PAGE_SIZE,
      rows: streamRowKeys(tx, Object.keys(LEDGER_ROW_SOURCES)),
      tombstones,
      declaredRange: declaredDemoRange,
      checkpoints,
      anchors: readAnchors(anchorFile, options.anchorBytes),
      head,
      keyring,
      origin: this.origin,
      stampers: this.stampVerifiers(keyring),
      policy: { ...this.verifyPolicy(), retentionFloorDays: root.retentionFloorDays, now: this.now(), ...options.policy },
      ...(onProgress ? { onProgress: (p) => onProgress({ ...p, total }) } : {}),
    });
    const extra: VerifyProblem[] = [];
    if (stateRead.problem) extra.push(stateRead.problem);
    extra.push(...trustStateProblems(stateRead, anchorFile, checkpoints, report.counts.validCheckpoints));
    extra.push(...(await checkDerivedTables(tx)));
    return mergeReport(report, extra);
  }

  /** Checkpoints, newest first, `limit` per page; `beforeId` is the cursor of the previous page. */
  async listCheckpoints(opts: { limit: number; beforeId?: number }): Promise<{ items: (CheckpointJson & { id: number })[]; nextCursor: number | null }> {
    const rows = await readCheckpoints(
      this.opts.db,
      opts.beforeId !== undefined ? 'WHERE id < $1' : '',
      opts.beforeId !== undefined ? [String(opts.beforeId)] : [],
      'id DESC',
      opts.limit + 1,
    );
    const page = rows.slice(0, opts.limit);
    return { items: page.map((c) => ({ id: c.id, ...checkpointToJson(c) })), nextCursor: rows.length > opts.limit ? page[page.length - 1]!.id : null };
  }

  /** The newest checkpoint, or null before the first. */
  async latestCheckpoint(): Promise<CheckpointJson | null> {
    const [c] = await readCheckpoints(this.opts.db, '', [], 'tree_size DESC, id DESC', 1);
    return c ? checkpointToJson(c) : null;
  }

  /**
   * One ledger entry and the first checkpoint covering it (null until one does).
   *
   * @throws EvidenceStoreError `NOT_FOUND`
   */
  async entry(seq: number): Promise<{ entry: LedgerEntryJson; checkpoint: CheckpointJson | null }> {
    return withTransaction(
      this.opts.db,
      async (tx) => {
        const e = await readLedgerEntry(tx, seq);
        if (!e) throw new EvidenceStoreError('NOT_FOUND', `no ledger entry with seq ${seq}`);
        const [c] = await readCheckpoints(tx, 'WHERE tree_size > $1', [String(seq)], 'tree_size, id', 1);
        return { entry: entryToJson(e), checkpoint: c ? checkpointToJson(c) : null };
      },
      { isolation: 'repeatable read', readOnly: true },
    );
  }

  /**
   * RFC 9162 §2.1.3 inclusion proof of leaf `seq` in the checkpoint of size
   * `treeSize` (default: the latest checkpoint), checked before it is returned.
   *
   * @throws EvidenceStoreError `NOT_FOUND` (seq or checkpoint size), `NOT_COVERED`, `INVALID_ARGUMENT`;
   *   EvidenceError `PROOF_INVALID` when the stored ledger does not match the signed root.
   */
  async inclusionProof(seq: number, treeSize?: number): Promise<InclusionProofJson> {
    return withTransaction(
      this.opts.db,
      async (tx) => {
        const entry = await readLedgerEntry(tx, seq);
        if (!entry) throw new EvidenceStoreError('NOT_FOUND', `no ledger entry with seq ${seq}`);
        const cp = await this.checkpointAt(tx, treeSize);
        if (cp.treeSize <= seq) {
          if (treeSize !== undefined)
            throw new EvidenceStoreError('INVALID_ARGUMENT', `tree_size ${treeSize} does not include seq ${seq}`, {
              name: 'tree_size',
              rule: 'must be greater than seq',
            });
          throw new EvidenceStoreError('NOT_COVERED', `seq ${seq} is not covered by a checkpoint yet (latest covers ${cp.treeSize} leaves)`);
        }
        const ranges = inclusionProofRanges(seq, cp.treeSize);
        const proof = await proveWith(tx, ranges, (hashes) => verifyInclusion(seq, cp.treeSize, entry.leafHash, hashes, cp.rootHash));
        if (!proof) {
          throw new EvidenceError('PROOF_INVALID', `the stored ledger does not prove seq ${seq} in the checkpoint of size ${cp.treeSize}`, {
            seq,
            checkpoint: cp.treeSize,
          });
        }
        return {
          seq,
          tree_size: cp.treeSize,
          leaf_hash: entry.leafHash.toString('hex'),
          proof: proof.map((h) => h.toString('hex')),
          entry: entryToJson(entry),
          checkpoint: checkpointToJson(cp),
        };
      },
      { isolation: 'repeatable read', readOnly: true },
    );
  }

  /**
   * RFC 9162 §2.1.4 consistency proof from tree size `from` to the checkpoint of size `to`.
   *
   * @throws EvidenceStoreError `NOT_FOUND` (no checkpoint of size `to`), `INVALID_ARGUMENT`;
   *   EvidenceError `PROOF_INVALID` when the stored ledger does not match the signed roots.
   */
  async consistencyProof(from: number, to: number): Promise<ConsistencyProofJson> {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) {
      throw new EvidenceStoreError('INVALID_ARGUMENT', `from (${from}) must be a tree size ≤ to (${to})`, { name: 'from', rule: 'must be a tree size ≤ to' });
    }
    return withTransaction(
      this.opts.db,
      async (tx) => {
        const cp = await this.checkpointAt(tx, to);
        const [oldCp] = await readCheckpoints(tx, 'WHERE tree_size = $1', [String(from)], 'id DESC', 1);
        // The old root is one more range, [0, from): its tiles come from the same cache.
        const ranges = [...consistencyProofRanges(from, to), { lo: 0, hi: from }];
        let oldRoot: Buffer = oldCp ? oldCp.rootHash : EMPTY_ROOT;
        const hashes = await proveWith(tx, ranges, (h) => {
          const computedOld = h[h.length - 1]!;
          if (oldCp && !oldCp.rootHash.equals(computedOld)) return false;
          oldRoot = oldCp ? oldCp.rootHash : computedOld;
          return verifyConsistency(from, to, h.slice(0, -1), oldRoot, cp.rootHash);
        });
        if (!hashes) throw new EvidenceError('PROOF_INVALID', `the stored ledger does not prove ${from} → ${to}`, { checkpoint: to });
        const proof = hashes.slice(0, -1);
        return {
          from,
          to,
          old_root: oldRoot.toString('hex'),
          new_root: cp.rootHash.toString('hex'),
          proof: proof.map((h) => h.toString('hex')),
          checkpoint: checkpointToJson(cp),
          old_checkpoint: oldCp ? checkpointToJson(oldCp) : null,
        };
      },
      { isolation: 'repeatable read', readOnly: true },
    );
  }

  private async checkpointAt(tx: SqlExecutor, treeSize: number | undefined): Promise<CheckpointRecord> {
    const [cp] =
      treeSize === undefined
        ? await readCheckpoints(tx, '', [], 'tree_size DESC, id DESC', 1)
        : await readCheckpoints(tx, 'WHERE tree_size = $1', [String(treeSize)], 'id DESC', 1);
    if (!cp) throw new EvidenceStoreError('NOT_FOUND', treeSize === undefined ? 'no checkpoint has been made yet' : `no checkpoint of tree size ${treeSize}`);
    return cp;
  }

  /** The TSA certificate file when RFC 3161 is configured (exported with bundles). */
  tsaCertificateFile(): string | null {
    return this.opts.stamper?.kind === 'rfc3161' ? this.opts.stamper.certFile : null;
  }

  /** The connection pool (for the bundle exporter). */
  get db(): SqlPool {
    return this.opts.db;
  }
}

/**
 * Hashes proof `ranges` from the subtree cache plus a few leaves and returns them if `valid`
 * accepts them; otherwise rebuilds them from the leaves alone (the cache is derived data and
 * may be stale or edited) and returns them if valid then, else null. O(log n) cached hashes
 * and < 512 leaf hashes on the fast path; the fallback reads the covered leaves.
 *
 * @throws EvidenceError `PROOF_INVALID` when the ledger holds fewer leaves than the ranges cover.
 */
async function proveWith(tx: SqlExecutor, ranges: readonly LeafRange[], valid: (hashes: Buffer[]) => boolean): Promise<Buffer[] | null> {
  for (const cache of [true, false]) {
    let hashes: Buffer[];
    try {
      hashes = await hashLeafRangesFrom(ranges, ledgerSubtreeSource(tx, { cache }), SUBTREE_CACHE_MIN_LEVEL);
    } catch (err) {
      if (err instanceof EvidenceError && err.code === 'MALFORMED_INPUT')
        throw new EvidenceError('PROOF_INVALID', `the ledger is shorter than the proof needs: ${err.message}`);
      throw err;
    }
    if (valid(hashes)) return hashes;
  }
  return null;
}

/** Why a filesystem call failed, without the path (callers name it with its setting). */
function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EROFS') return 'EROFS: read-only file system';
  if (e.code === 'EACCES' || e.code === 'EPERM') return `${e.code}: permission denied`;
  if (e.code === 'ENOSPC') return 'ENOSPC: no space left on device';
  return e.code ?? e.message;
}

/** A report holding only `problems` (e.g. no trust root: nothing else can be judged). */
function failedReport(problems: VerifyProblem[]): VerifyReport {
  const counts = emptyVerifyCounts(false);
  counts.problems = problems.length;
  for (const p of problems) counts.byCode[p.code] = (counts.byCode[p.code] ?? 0) + 1;
  return { ok: false, problems, counts };
}

/** `report` with `extra` findings added (first). */
function mergeReport(report: VerifyReport, extra: readonly VerifyProblem[]): VerifyReport {
  if (extra.length === 0) return report;
  const byCode = { ...report.counts.byCode };
  for (const p of extra) byCode[p.code] = (byCode[p.code] ?? 0) + 1;
  return { ok: false, problems: [...extra, ...report.problems], counts: { ...report.counts, problems: report.counts.problems + extra.length, byCode } };
}

/**
 * What the trust state says must still be there: the anchor file at least as
 * long as last seen with the same line at that offset (`ANCHOR_TRUNCATED`),
 * and the newest checkpoint this host made still in the database
 * (`INCONSISTENT_CHECKPOINTS`: a rollback). With no trust state at all, an
 * anchor file that is missing or empty while the database has valid
 * checkpoints is reported too: both were deleted, or never written.
 */
function trustStateProblems(read: StateRead, anchorFile: string, checkpoints: readonly CheckpointRecord[], validCheckpoints: number): VerifyProblem[] {
  const out: VerifyProblem[] = [];
  const { state } = read;
  if (!state) {
    if (validCheckpoints > 0 && anchorFileSize(anchorFile) === 0 && !read.problem) {
      out.push({
        code: 'ANCHOR_TRUNCATED',
        detail: `anchor file ${anchorFile} is missing or empty and there is no trust state (${read.path}), but the database holds ${validCheckpoints} signed checkpoint(s)`,
      });
    }
    return out;
  }
  const seen = state.anchors[anchorFile];
  if (seen) {
    const why = anchorRegression(anchorFile, seen);
    if (why) out.push({ code: 'ANCHOR_TRUNCATED', detail: why });
  }
  const cp = state.checkpoint;
  if (cp && !checkpoints.some((c) => c.treeSize === cp.tree_size && c.checkpointHash.toString('hex') === cp.hash)) {
    out.push({
      code: 'INCONSISTENT_CHECKPOINTS',
      checkpoint: cp.tree_size,
      detail: `the checkpoint of size ${cp.tree_size} this host made on ${cp.at} is not in the database (rolled back or rewritten)`,
    });
  }
  return out;
}

function anchorFileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Anchor records of the first `bytes` of an (append-only) anchor file; the whole file when `bytes` is undefined. */
export async function* readAnchors(path: string, bytes?: number): AsyncGenerator<AnchorRecord> {
  if (!existsSync(path) || bytes === 0) return;
  const input = createReadStream(path, { encoding: 'utf8', ...(bytes !== undefined ? { start: 0, end: bytes - 1 } : {}) });
  let n = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    n++;
    yield parseAnchorRecord(line, n);
  }
}

/** Tombstone payloads of the `retention` entries, rebuilt from their refs (see `tombstoneRef`). */
export async function readTombstones(db: SqlExecutor): Promise<Map<number, unknown>> {
  const { rows } = await db.query<{ seq: string; ref: string }>('SELECT seq, ref FROM audit.ledger WHERE kind = $1 ORDER BY seq', [RETENTION_KIND]);
  const out = new Map<number, unknown>();
  for (const r of rows) {
    const t = tombstoneFromRef(r.ref);
    // An unparsable ref gets no payload: the verifier reports LEAF_WITHOUT_ROW for it.
    if (t) out.set(Number(r.seq), t);
  }
  return out;
}
