import { createHash } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApiTokenRepository, type Principal } from '@auditstack/audit-core/server';

/** How long a token verified against PostgreSQL stays usable while PostgreSQL is unreachable. */
const LAST_KNOWN_GOOD_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 10_000;

/**
 * Keeps ingest authenticated through a PostgreSQL outage: the `auto` backend
 * spools events, but the bearer guard verifies tokens in PostgreSQL too. This
 * wraps the (shared, singleton) token repository: every successful lookup is
 * remembered (by the token's SHA-256, never the token), and when the lookup
 * itself fails — not when it answers "unknown" — a token verified within the
 * last hour is accepted. A token revoked during an outage therefore works
 * until PostgreSQL is back (docs/operations.md).
 */
@Injectable()
export class TokenFallbackService implements OnModuleInit {
  private readonly logger = new Logger('TokenFallback');
  private readonly known = new Map<string, { principal: Principal; at: number }>();
  private lastWarned = 0;

  constructor(private readonly tokens: ApiTokenRepository) {}

  onModuleInit(): void {
    const original = this.tokens.authenticate.bind(this.tokens);
    this.tokens.authenticate = async (token: string): Promise<Principal | null> => {
      const key = createHash('sha256').update(token).digest('hex');
      try {
        const principal = await original(token);
        if (principal) this.remember(key, principal);
        else this.known.delete(key);
        return principal;
      } catch (error) {
        const hit = this.known.get(key);
        if (hit && Date.now() - hit.at < LAST_KNOWN_GOOD_MS) {
          if (Date.now() - this.lastWarned > 10_000) {
            this.lastWarned = Date.now();
            this.logger.warn(`token lookup failed (${(error as Error).message}); accepting last known good principals (verified within the hour)`);
          }
          return hit.principal;
        }
        throw error;
      }
    };
  }

  private remember(key: string, principal: Principal): void {
    this.known.delete(key);
    this.known.set(key, { principal, at: Date.now() });
    if (this.known.size > MAX_ENTRIES) this.known.delete(this.known.keys().next().value!);
  }
}
