import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { DomainError } from '@auditstack/audit-core';
import { ApiTokenRepository, TOKEN_REVOKED_CHANNEL, type Principal } from '@auditstack/audit-core/server';
import { STORAGE_RETRY_AFTER_SECONDS } from '@auditstack/service-kit';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

const MAX_ENTRIES = 10_000;
/** The cache file is rewritten at most this often for new verifications (revocations are written at once). */
const SAVE_EVERY_MS = 5_000;
/** LISTEN reconnection backoff. */
const LISTEN_RETRY_MIN_MS = 1_000;
const LISTEN_RETRY_MAX_MS = 30_000;
const FILE_VERSION = 2;
/** Every remembered token is re-checked this often too, so a revocation whose NOTIFY never arrived (embedded database, a dropped connection) still reaches the on-disk cache. */
const RECONCILE_EVERY_MS = 60_000;

/** A token verified in PostgreSQL at `at`. */
interface Verified {
  principal: Principal;
  at: number;
}

/** A token this gateway knew, revoked at (or seen revoked at) `at`. */
interface Revoked {
  tokenId: string;
  at: number;
}

interface FileEntry {
  key: string;
  at: number;
  mac: string;
  principal?: Principal;
  tokenId?: string;
}

/** The fields of a principal covered by the MAC, in a fixed order. */
function principalFields(p: Principal): unknown[] {
  return [p.tokenId, p.name, p.principal, [...p.entitlements], p.workspaceId];
}

function isPrincipal(value: unknown): value is Principal {
  const p = value as Principal | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.tokenId === 'string' &&
    typeof p.name === 'string' &&
    typeof p.principal === 'string' &&
    Array.isArray(p.entitlements) &&
    p.entitlements.every((e) => typeof e === 'string') &&
    (p.workspaceId === null || typeof p.workspaceId === 'string')
  );
}

/**
 * The gateway's token cache, in two layers over the (shared, singleton) token repository:
 *
 * - **Fresh** (`AUTH_CACHE_MS`): a token verified in PostgreSQL moments ago is
 *   reused without a lookup. A revocation reaches every gateway at once: the
 *   repository NOTIFYs `auditstack_token_revoked` on commit and each gateway
 *   LISTENs, dropping the token immediately. While the LISTEN connection is
 *   down nothing is reused (every request is looked up), and on reconnect
 *   every remembered token is re-checked, so no revocation is missed; they
 *   are also re-checked every minute (a NOTIFY that never arrives — the
 *   embedded database drops LISTEN between lends — still reaches the on-disk
 *   cache within a minute, and the fresh layer within `AUTH_CACHE_MS`).
 * - **Last known good** (`AUTH_OUTAGE_TTL_SECONDS`): when the lookup itself
 *   fails (PostgreSQL unreachable — not when it answers "unknown") a token
 *   verified within the TTL is accepted, and a token known to be revoked is
 *   refused with 401. Both lists are kept in
 *   `$AUDITSTACK_HOME/cache/tokens-last-known-good.json` (mode 0600, token
 *   SHA-256s only) so a gateway restarted during the outage keeps them. Every
 *   entry carries an HMAC-SHA256 under a random local key
 *   (`$AUDITSTACK_HOME/keys/token-cache.key`, mode 0600): a planted or edited
 *   entry is ignored, and entries older than the TTL are dropped.
 *
 * A lookup that fails for a token not remembered answers 503, not 401: the token may be good.
 */
@Injectable()
export class TokenFallbackService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TokenFallback');
  private readonly known = new Map<string, Verified>();
  private readonly revoked = new Map<string, Revoked>();
  private readonly file: string;
  private readonly keyFile: string;
  private readonly cacheMs: number;
  private readonly ttlMs: number;
  private hmacKey: Buffer = Buffer.alloc(0);
  private lastWarned = 0;
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private listener: Client | null = null;
  /** True while the LISTEN connection is up: only then may a fresh entry skip the lookup. */
  private listening = false;
  private retryMs = LISTEN_RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tokens: ApiTokenRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: Readonly<GatewayConfig>,
  ) {
    this.file = resolve(config.AUDITSTACK_HOME, 'cache', 'tokens-last-known-good.json');
    this.keyFile = resolve(config.AUDITSTACK_HOME, 'keys', 'token-cache.key');
    this.cacheMs = config.AUTH_CACHE_MS;
    this.ttlMs = config.AUTH_OUTAGE_TTL_SECONDS * 1000;
  }

  async onModuleInit(): Promise<void> {
    this.hmacKey = this.loadOrCreateKey();
    this.load();
    const revoke = this.tokens.revoke.bind(this.tokens);
    this.tokens.revoke = async (...args: Parameters<ApiTokenRepository['revoke']>) => {
      const revoked = await revoke(...args);
      // The NOTIFY reaches this gateway too; dropping it here as well makes the revoking gateway exact without waiting.
      if (revoked) this.markRevoked(revoked.id);
      return revoked;
    };
    const original = this.tokens.authenticate.bind(this.tokens);
    this.tokens.authenticate = (token: string) => this.authenticate(token, original);
    if (this.cacheMs > 0) await this.listen();
    this.reconcileTimer = setInterval(() => {
      this.reconcile().catch(() => undefined); // unreachable: the outage rules apply, nothing to refresh
    }, RECONCILE_EVERY_MS);
    this.reconcileTimer.unref();
  }

  /** Tokens (by id) this gateway must no longer accept: dropped from both layers and kept as revoked. */
  markRevoked(tokenId: string): void {
    let changed = false;
    for (const [key, entry] of this.known) {
      if (entry.principal.tokenId !== tokenId) continue;
      this.known.delete(key);
      this.revoked.set(key, { tokenId, at: Date.now() });
      changed = true;
    }
    if (changed) this.saveNow();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    const listener = this.listener;
    this.listener = null;
    this.listening = false;
    listener?.end().catch(() => undefined);
    this.save();
  }

  private async authenticate(token: string, lookup: (token: string) => Promise<Principal | null>): Promise<Principal | null> {
    const key = createHash('sha256').update(token).digest('hex');
    const now = Date.now();
    const fresh = this.known.get(key);
    if (fresh && this.listening && now - fresh.at < this.cacheMs) return fresh.principal;
    let principal: Principal | null;
    try {
      principal = await lookup(token);
    } catch (error) {
      if (this.revoked.has(key)) throw new DomainError('UNAUTHENTICATED', 'the bearer token is unknown or revoked');
      const hit = this.known.get(key);
      if (hit && now - hit.at < this.ttlMs) {
        if (now - this.lastWarned > 10_000) {
          this.lastWarned = now;
          this.logger.warn(
            `token lookup failed (${(error as Error).message}); accepting tokens verified within the last ${this.config.AUTH_OUTAGE_TTL_SECONDS} s`,
          );
        }
        return hit.principal;
      }
      throw new DomainError(
        'STORAGE_UNAVAILABLE',
        'tokens cannot be checked right now (the database is unreachable) and this one was not verified recently; retry later',
        { retryAfterSeconds: STORAGE_RETRY_AFTER_SECONDS },
      );
    }
    if (principal) {
      this.remember(key, principal);
    } else if (this.known.has(key)) {
      // Revoked behind this gateway's back (SQL, or a missed NOTIFY): keep it as revoked for outages.
      this.revoked.set(key, { tokenId: this.known.get(key)!.principal.tokenId, at: now });
      this.known.delete(key);
      this.saveNow();
    }
    return principal;
  }

  private remember(key: string, principal: Principal): void {
    const previous = this.known.get(key);
    this.known.delete(key);
    this.known.set(key, { principal, at: Date.now() });
    if (this.revoked.delete(key)) this.dirty = true;
    if (this.known.size > MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
    // A refresh of a recent entry need not touch the disk.
    if (!previous || Date.now() - previous.at > this.ttlMs / 4) this.scheduleSave();
  }

  // --- LISTEN / NOTIFY -------------------------------------------------------

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      application_name: 'auditstack-gateway-revocations',
      connectionTimeoutMillis: 3000,
    });
    const lost = (why: string): void => {
      if (this.stopped || this.listener !== client) return;
      this.listener = null;
      if (this.listening) this.logger.warn(`LISTEN ${TOKEN_REVOKED_CHANNEL} lost (${why}); every token is looked up until it is back`);
      this.listening = false;
      client.end().catch(() => undefined);
      this.retryTimer = setTimeout(() => void this.listen(), this.retryMs);
      this.retryTimer.unref();
      this.retryMs = Math.min(this.retryMs * 2, LISTEN_RETRY_MAX_MS);
    };
    client.on('error', (error) => lost(error.message));
    client.on('end', () => lost('connection ended'));
    client.on('notification', (message: Notification) => {
      if (message.channel === TOKEN_REVOKED_CHANNEL && message.payload) this.markRevoked(message.payload);
    });
    this.listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${TOKEN_REVOKED_CHANNEL}`);
      // Revocations made while not listening were not heard: re-check every remembered token.
      await this.reconcile();
      if (this.listener !== client) return;
      this.listening = true;
      this.retryMs = LISTEN_RETRY_MIN_MS;
    } catch (error) {
      lost((error as Error).message);
    }
  }

  private async reconcile(): Promise<void> {
    const ids = [...new Set([...this.known.values()].map((e) => e.principal.tokenId))];
    if (ids.length === 0) return;
    const active = await this.tokens.activeIds(ids);
    for (const id of ids) if (!active.has(id)) this.markRevoked(id);
  }

  // --- the file ----------------------------------------------------------------

  private loadOrCreateKey(): Buffer {
    try {
      const key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
      // A key others can read lets them forge entries: tighten it (the entries it signed stay valid).
      if ((statSync(this.keyFile).mode & 0o077) !== 0) chmodSync(this.keyFile, 0o600);
      if (key.length >= 32) return key;
      this.logger.warn(`${this.keyFile} does not hold a 32-byte key; making a new one (the cached tokens are dropped)`);
    } catch {
      // first start: no key yet
    }
    const key = randomBytes(32);
    mkdirSync(dirname(this.keyFile), { recursive: true, mode: 0o700 });
    const temp = `${this.keyFile}.${process.pid}.tmp`;
    writeFileSync(temp, `${key.toString('base64')}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.keyFile);
    return key;
  }

  private mac(kind: 'ok' | 'revoked', key: string, at: number, body: unknown): string {
    return createHmac('sha256', this.hmacKey)
      .update(JSON.stringify([FILE_VERSION, kind, key, at, body]))
      .digest('hex');
  }

  private macMatches(expected: string, actual: unknown): boolean {
    if (typeof actual !== 'string' || !/^[0-9a-f]{64}$/.test(actual)) return false;
    return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(actual, 'hex'));
  }

  /** Valid entries of the file: MAC checked, not expired, not from the future. */
  private readFile(): { ok: Array<[string, Verified]>; revoked: Array<[string, Revoked]>; rejected: number } {
    const out = { ok: [] as Array<[string, Verified]>, revoked: [] as Array<[string, Revoked]>, rejected: 0 };
    let parsed: { version?: unknown; ok?: unknown; revoked?: unknown };
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as typeof parsed;
    } catch {
      return out; // no file yet, or unreadable: start empty
    }
    if (parsed?.version !== FILE_VERSION) return out;
    const now = Date.now();
    const fresh = (at: unknown): at is number => typeof at === 'number' && at <= now + 60_000 && now - at < this.ttlMs;
    for (const e of Array.isArray(parsed.ok) ? (parsed.ok as FileEntry[]) : []) {
      if (!e || typeof e.key !== 'string' || !isPrincipal(e.principal) || !fresh(e.at)) continue;
      if (!this.macMatches(this.mac('ok', e.key, e.at, principalFields(e.principal)), e.mac)) {
        out.rejected++;
        continue;
      }
      out.ok.push([e.key, { principal: e.principal, at: e.at }]);
    }
    for (const e of Array.isArray(parsed.revoked) ? (parsed.revoked as FileEntry[]) : []) {
      if (!e || typeof e.key !== 'string' || typeof e.tokenId !== 'string' || !fresh(e.at)) continue;
      if (!this.macMatches(this.mac('revoked', e.key, e.at, e.tokenId), e.mac)) {
        out.rejected++;
        continue;
      }
      out.revoked.push([e.key, { tokenId: e.tokenId, at: e.at }]);
    }
    return out;
  }

  private load(): void {
    const { ok, revoked, rejected } = this.readFile();
    for (const [key, entry] of revoked) this.revoked.set(key, entry);
    for (const [key, entry] of ok) {
      const gone = this.revoked.get(key);
      if (!gone || gone.at < entry.at) this.known.set(key, entry);
    }
    if (rejected > 0) this.logger.warn(`${rejected} entries of ${this.file} failed their integrity check and were ignored`);
  }

  private scheduleSave(): void {
    this.dirty = true;
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.save();
    }, SAVE_EVERY_MS);
    this.saveTimer.unref();
  }

  private saveNow(): void {
    this.dirty = true;
    this.save();
  }

  private save(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const now = Date.now();
    // Another gateway on the same home may have written revocations meanwhile: keep them.
    for (const [key, entry] of this.readFile().revoked) {
      const mine = this.revoked.get(key);
      if (!mine || mine.at < entry.at) this.revoked.set(key, entry);
      const ok = this.known.get(key);
      if (ok && ok.at <= entry.at) this.known.delete(key);
    }
    for (const [key, entry] of this.revoked) if (now - entry.at >= this.ttlMs) this.revoked.delete(key);
    for (const [key, entry] of this.known) if (now - entry.at >= this.ttlMs) this.known.delete(key);
    const body = {
      version: FILE_VERSION,
      ok: [...this.known].map(([key, e]) => ({ key, at: e.at, principal: e.principal, mac: this.mac('ok', key, e.at, principalFields(e.principal)) })),
      revoked: [...this.revoked].map(([key, e]) => ({ key, at: e.at, tokenId: e.tokenId, mac: this.mac('revoked', key, e.at, e.tokenId) })),
    };
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(body), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      this.logger.warn(`could not keep the token cache in ${this.file}: ${(error as Error).message}`);
    }
  }
}
