import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of every auditstack bearer token, so secret scanners can recognise a leaked one. */
export const TOKEN_PREFIX = 'ast_';

/** A new bearer token: prefix + 32 random bytes, base64url. Shown once; only its hash is stored. */
export function generateApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of the token. A fast hash is enough: tokens carry 256 bits of
 * entropy, so there is nothing for a slow password hash to protect.
 */
export function hashApiToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Shape check before any database look-up (the header is attacker-controlled). */
export function looksLikeApiToken(value: string): boolean {
  return /^ast_[A-Za-z0-9_-]{43}$/.test(value);
}

/** Constant-time comparison of two token hashes. */
export function tokenHashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
