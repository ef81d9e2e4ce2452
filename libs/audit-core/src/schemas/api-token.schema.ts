import { z } from 'zod';
import { ALL_ENTITLEMENTS, type Entitlement } from '../constants/entitlements';
import { IdentifierSchema, named, strictObject, UtcTimestampSchema, UuidSchema, withPath } from './common.schema';

const ENTITLEMENT_VALUES = ALL_ENTITLEMENTS as readonly Entitlement[] as [Entitlement, ...Entitlement[]];

/** A known entitlement name (see `ENTITLEMENTS`). */
export const EntitlementSchema = z.enum(ENTITLEMENT_VALUES, named(`must be one of ${ENTITLEMENT_VALUES.join(', ')}`));

/**
 * A non-empty list of known entitlements; duplicates are dropped, order is kept.
 */
export const EntitlementListSchema = z
  .array(EntitlementSchema, named('must be an array of entitlement names'))
  .min(1, {
    error: (issue) => withPath(issue.path, `must list at least one entitlement (${ENTITLEMENT_VALUES.join(', ')})`),
  })
  .transform((list) => [...new Set(list)]);

/**
 * A token name (unique among active tokens): 1–100 characters of
 * `A–Z a–z 0–9 . _ : -`, starting with a letter or digit (`ci-bot`, `orchestrator.prod`).
 */
export const ApiTokenNameSchema = z
  .string(named("must be a token name: 1–100 characters of A–Z, a–z, 0–9, '.', '_', ':', '-', starting with a letter or digit"))
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/);

/** Input of `auditstack tokens create` / `POST /v1/admin/tokens`. `workspace_id` scopes the token to one workspace. */
export const ApiTokenCreateSchema = strictObject(
  {
    name: ApiTokenNameSchema,
    entitlements: EntitlementListSchema,
    workspace_id: IdentifierSchema.optional(),
  },
  'a token creation request',
);

/** A parsed token creation request. */
export type ApiTokenCreate = z.output<typeof ApiTokenCreateSchema>;

/**
 * A token as stored and listed — without the secret and without its hash
 * (the strict shape refuses a `token`, `secret` or `token_hash` key).
 * `principal` is the identity requests made with it are attributed to.
 */
export const ApiTokenSchema = strictObject(
  {
    id: UuidSchema,
    name: ApiTokenNameSchema,
    principal: IdentifierSchema,
    entitlements: EntitlementListSchema,
    workspace_id: IdentifierSchema.nullable(),
    created_at: UtcTimestampSchema,
    last_used_at: UtcTimestampSchema.nullable(),
    revoked_at: UtcTimestampSchema.nullable(),
  },
  'an API token',
);

/** A stored / listed token (no secret). */
export type ApiToken = z.output<typeof ApiTokenSchema>;
