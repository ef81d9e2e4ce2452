import { z } from 'zod';
import { named } from '../schemas/common.schema';
import { DomainError } from './domain.error';

/**
 * The one collection shape: `{ items, next_cursor }`, one limit range, keyset
 * cursors that are opaque to clients and validated when they come back.
 */

/** Smallest and largest page size; default page size. */
export const PAGE_LIMIT = { min: 1, max: 500, default: 50 } as const;

/** `limit`: rows per page, 1–500. @defaultValue 50 */
export const PageLimitSchema = z.coerce
  .number(named(`must be an integer ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}`))
  .int(named(`must be an integer ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}`))
  .min(PAGE_LIMIT.min, named(`must be an integer ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}`))
  .max(PAGE_LIMIT.max, named(`must be an integer ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}`))
  .default(PAGE_LIMIT.default)
  .meta({ description: `Rows per page (${PAGE_LIMIT.min}–${PAGE_LIMIT.max}).`, example: PAGE_LIMIT.default });

const CURSOR_RULE = 'must be a cursor returned as next_cursor';

/** `cursor`: the `next_cursor` of the previous page, passed back unchanged. */
export const PageCursorSchema = z
  .string(named(CURSOR_RULE))
  .max(1024, named(CURSOR_RULE))
  .regex(/^[A-Za-z0-9_-]+$/, named(CURSOR_RULE))
  .meta({ description: 'Opaque keyset cursor: the next_cursor of the previous page.' });

/** The query part every list shares: `limit` and `cursor`. Extend it with the list's filters. */
export const PageQuerySchema = z.object({ limit: PageLimitSchema, cursor: PageCursorSchema.optional() });

/** `{ items, next_cursor }` of `item`; `next_cursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` to get the next page; null on the last page.' }),
  });
}

/** Encodes a keyset position (any JSON value the list chooses) as an opaque cursor. */
export function encodeCursor(position: unknown): string {
  const json = JSON.stringify(position);
  return base64url(json);
}

/**
 * Reads a cursor back and validates the position with the list's own schema:
 * `null` when absent, `undefined`-free value when valid, and a thrown
 * {@link InvalidCursorError} otherwise (the value is attacker controlled; the
 * filter answers 400 naming `cursor`).
 */
export function decodeCursor<S extends z.ZodType>(cursor: string | undefined, position: S): z.output<S> | null {
  if (cursor === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(fromBase64url(cursor));
  } catch {
    throw new InvalidCursorError();
  }
  const parsed = position.safeParse(value);
  if (!parsed.success) throw new InvalidCursorError();
  return parsed.data;
}

/** A cursor that is not one we handed out (or no longer parses): a 400 naming `cursor`. */
export class InvalidCursorError extends DomainError<'VALIDATION_FAILED'> {
  constructor() {
    super('VALIDATION_FAILED', `cursor: ${CURSOR_RULE}`, { errors: [{ path: 'cursor', rule: CURSOR_RULE, in: 'query' }] });
  }
}

// base64url without Buffer, so the dashboard and browsers can use the same code.
function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
