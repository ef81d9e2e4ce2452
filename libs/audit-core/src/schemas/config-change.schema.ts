import { z } from 'zod';

/**
 * Config changes (`audit.config_changes`): every mutation made through the
 * engine API — projects, actions, workbooks, the services inventory — as one
 * row with the state before and after, each a ledger leaf of kind `config`.
 * Persisted strings: never rename.
 */
export const CONFIG_SUBJECT_KINDS = ['action', 'project', 'workbook', 'service', 'token'] as const;
export type ConfigSubjectKind = (typeof CONFIG_SUBJECT_KINDS)[number];

/** What happened to the subject. `save` is a new workbook version; `revoke` ends a token. */
export const CONFIG_CHANGE_KINDS = ['create', 'update', 'pause', 'resume', 'delete', 'save', 'revoke'] as const;
export type ConfigChangeKind = (typeof CONFIG_CHANGE_KINDS)[number];

/** A stored config change (API response shape). */
export const ConfigChangeSchema = z.object({
  id: z.string(),
  at: z.union([z.date(), z.string()]),
  /** Who made it: `<token name> (<token id>)` — never a secret. */
  actor: z.string(),
  subject_kind: z.enum(CONFIG_SUBJECT_KINDS),
  /** The subject's id (project/action uuid), or its name (workbook, service). */
  subject_id: z.string(),
  change: z.enum(CONFIG_CHANGE_KINDS),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
});
export type ConfigChange = z.output<typeof ConfigChangeSchema>;
