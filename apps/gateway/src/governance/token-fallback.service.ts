import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, ServiceUnavailableException, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ApiTokenRepository, type Principal } from '@auditstack/audit-core/server';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** How long a token verified against PostgreSQL stays usable while PostgreSQL is unreachable. */
const LAST_KNOWN_GOOD_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 10_000;
/** The cache file is rewritten at most this often (and at shutdown). */
const SAVE_EVERY_MS = 5_000;

interface Entry {
  principal: Principal;
  at: number;
}

/**
 * Caches verified tokens for `AUTH_CACHE_MS` (one lookup per token per few
 * seconds instead of one per request), and keeps ingest authenticated through a PostgreSQL outage: the `auto` backend
 * spools events, but the bearer guard verifies tokens in PostgreSQL too. This
 * wraps the (shared, singleton) token repository: every successful lookup is
 * remembered (by the token's SHA-256, never the token), and when the lookup
 * itself fails — not when it answers "unknown" — a token verified within the
 * last hour is accepted. A token revoked during an outage therefore works
 * until PostgreSQL is back (docs/operations.md).
 *
 * The remembered principals are also kept in a file (mode 0600, hashes only)
 * so a gateway restarted during the outage still accepts them. A lookup that
 * fails for a token not remembered answers 503, not 401: the token may be good.
 */
@Injectable()
export class TokenFallbackService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('TokenFallback');
  private readonly known = new Map<string, Entry>();
  private readonly file: string;
  private readonly cacheMs: number;
  private lastWarned = 0;
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tokens: ApiTokenRepository,
    @Inject(GATEWAY_CONFIG) config: Readonly<GatewayConfig>,
  ) {
    this.file = resolve(config.AUDITSTACK_HOME, 'cache', 'tokens-last-known-good.json');
    this.cacheMs = config.AUTH_CACHE_MS;
  }

  onModuleInit(): void {
    this.load();
    const revoke = this.tokens.revoke.bind(this.tokens);
    this.tokens.revoke = async (nameOrId: string): Promise<boolean> => {
      const revoked = await revoke(nameOrId);
      this.forget(nameOrId);
      return revoked;
    };
    const original = this.tokens.authenticate.bind(this.tokens);
    this.tokens.authenticate = async (token: string): Promise<Principal | null> => {
      const key = createHash('sha256').update(token).digest('hex');
      // Verified in PostgreSQL moments ago: reuse it (AUTH_CACHE_MS bounds how late a revocation bites).
      const fresh = this.known.get(key);
      if (fresh && Date.now() - fresh.at < this.cacheMs) return fresh.principal;
      let principal: Principal | null;
      try {
        principal = await original(token);
      } catch (error) {
        const hit = this.known.get(key);
        if (hit && Date.now() - hit.at < LAST_KNOWN_GOOD_MS) {
          if (Date.now() - this.lastWarned > 10_000) {
            this.lastWarned = Date.now();
            this.logger.warn(`token lookup failed (${(error as Error).message}); accepting last known good principals (verified within the hour)`);
          }
          return hit.principal;
        }
        throw new ServiceUnavailableException('tokens cannot be checked right now (PostgreSQL is unreachable) and this one was not verified in the last hour; retry later');
      }
      if (principal) this.remember(key, principal);
      else if (this.known.delete(key)) this.scheduleSave();
      return principal;
    };
  }

  /** Drops what is remembered for a token (by id or name): its revocation through this gateway takes effect at once here. */
  forget(nameOrId: string): void {
    let dropped = false;
    for (const [key, entry] of this.known) {
      if (entry.principal.tokenId === nameOrId || entry.principal.name === nameOrId) dropped = this.known.delete(key) || dropped;
    }
    if (dropped) this.scheduleSave();
  }

  onApplicationShutdown(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.save();
  }

  private remember(key: string, principal: Principal): void {
    const previous = this.known.get(key);
    this.known.delete(key);
    this.known.set(key, { principal, at: Date.now() });
    if (this.known.size > MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
    // A refresh of a recent entry need not touch the disk.
    if (!previous || Date.now() - previous.at > LAST_KNOWN_GOOD_MS / 4) this.scheduleSave();
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

  private load(): void {
    let entries: Array<[string, Entry]>;
    try {
      entries = JSON.parse(readFileSync(this.file, 'utf8')) as Array<[string, Entry]>;
    } catch {
      return; // no file yet, or unreadable: start empty
    }
    const now = Date.now();
    for (const [key, entry] of Array.isArray(entries) ? entries : []) {
      if (typeof key === 'string' && entry && typeof entry.at === 'number' && now - entry.at < LAST_KNOWN_GOOD_MS) this.known.set(key, entry);
    }
  }

  private save(): void {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      const temp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify([...this.known]), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      this.logger.warn(`could not keep the last-known-good token cache in ${this.file}: ${(error as Error).message}`);
    }
  }
}
