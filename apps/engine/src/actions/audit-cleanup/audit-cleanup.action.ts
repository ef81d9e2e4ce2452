import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { ACTION_TYPES, ENGINE_CHECK_IDS, type Check, type CheckRule } from '@auditstack/audit-core';
import { ENGINE_CONFIG, type EngineConfig } from '../../config/engine.config';
import {
  daysBetween,
  isFullyReplayed,
  listJsonlFiles,
  removeWithSidecar,
  utcDay,
  verifyChain,
  writeFileDurable,
  type JsonlFile,
} from '../../operations/jsonl-files.util';
import { operationsSettings, readPolicy } from '../../operations/operations-settings.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

export const AuditCleanupConfigSchema = z
  .object({
    /** Report what would be compressed or deleted, change nothing. @defaultValue false */
    dry_run: z.boolean().default(false),
  })
  .strict();
export type AuditCleanupConfig = z.infer<typeof AuditCleanupConfigSchema>;

const RULE: CheckRule = {
  id: 'audit_cleanup.files',
  description:
    'JSONL files older than audit_files.compress_after_days are gzipped and those older than audit_files.delete_after_days deleted; never today’s file, a file still being written, a file not yet replayed into PostgreSQL, or a file whose hash chain is broken.',
  reference: 'docs/operations.md §9 (data-governance policy)',
};

export interface CleanupResult {
  compressed: string[];
  deleted: string[];
  skipped: { file: string; reason: string }[];
  broken: { file: string; line: number; reason: string }[];
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * `audit_cleanup`: ages out the gateway's JSONL files (`AUDIT_JSONL_DIR`) by
 * the day in their name (UTC) under the data-governance policy. Every file is
 * re-verified (hash chain) before it is touched; a gzip replaces the original
 * only after the `.gz` is fsynced and decompresses to the same bytes. Unless
 * the gateway runs the `jsonl` backend (files are then the store), a plain
 * file is touched only once its `<file>.replayed` progress shows every line in
 * PostgreSQL.
 */
@ActionType({
  type: ACTION_TYPES.auditCleanup,
  config: AuditCleanupConfigSchema,
  description: 'Gzips JSONL audit files older than the policy, deletes the oldest; skips today’s, busy and unreplayed files.',
})
export class AuditCleanupAction implements ActionHandler<AuditCleanupConfig> {
  constructor(@Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>) {}

  async run(action: ActionView<AuditCleanupConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const settings = operationsSettings(this.config);
    const policy = (await readPolicy(settings)).audit_files;
    const dir = settings.jsonlDir;
    const now = ctx.now();
    const today = utcDay(now);
    const requireReplay = settings.backend !== 'jsonl';
    const result: CleanupResult = { compressed: [], deleted: [], skipped: [], broken: [] };

    for (const file of await listJsonlFiles(dir)) {
      const age = daysBetween(file.lastDay, today);
      // Today's (or a future-dated) file is the one being written: never touched, whatever the policy.
      if (age <= 0) continue;
      const remove = policy.delete_after_days !== null && age > policy.delete_after_days;
      const compress = !remove && !file.gz && age > policy.compress_after_days;
      if (!remove && !compress) continue;
      const path = join(dir, file.name);
      const info = await stat(path);
      if (now.getTime() - info.mtimeMs < policy.min_idle_minutes * 60_000) {
        result.skipped.push({ file: file.name, reason: `modified less than ${policy.min_idle_minutes} min ago` });
        continue;
      }
      const raw = await readFile(path);
      const chain = verifyChain((file.gz ? gunzipSync(raw) : raw).toString('utf8'));
      if (!chain.ok) {
        // A broken chain is evidence of an edit or damage: keep the file for an operator.
        result.broken.push({ file: file.name, line: chain.line, reason: chain.reason });
        continue;
      }
      if (requireReplay && !file.gz && !file.compacted && !(await isFullyReplayed(dir, file.name, chain.lines))) {
        result.skipped.push({ file: file.name, reason: 'not yet fully replayed into PostgreSQL' });
        continue;
      }
      if (action.config.dry_run) {
        (remove ? result.deleted : result.compressed).push(file.name);
        continue;
      }
      if (remove) {
        await removeWithSidecar(dir, file.name);
        result.deleted.push(file.name);
      } else {
        await this.gzip(dir, file, raw);
        result.compressed.push(file.name);
      }
    }

    const checks: Check[] = [
      {
        check_id: RULE.id,
        target: dir,
        status: 'pass',
        message: `${action.config.dry_run ? 'would compress' : 'compressed'} ${result.compressed.length}, ${action.config.dry_run ? 'would delete' : 'deleted'} ${result.deleted.length}, skipped ${result.skipped.length} file(s) (compress after ${policy.compress_after_days} d, delete after ${policy.delete_after_days ?? 'never'} d)`,
        rule: RULE,
        evidence: { dir, policy, dry_run: action.config.dry_run, ...result },
      },
    ];
    if (result.broken.length > 0) {
      checks.push({
        check_id: ENGINE_CHECK_IDS.auditCleanupChain,
        target: dir,
        status: 'fail',
        message: `hash chain broken, file kept: ${result.broken
          .map((b) => `${b.file} line ${b.line}`)
          .join(', ')
          .slice(0, 1000)}`,
        rule: RULE,
        evidence: { broken: result.broken },
      });
    }
    const waiting = result.skipped.filter((s) => s.reason.startsWith('not yet'));
    if (waiting.length > 0) {
      checks.push({
        check_id: ENGINE_CHECK_IDS.auditCleanupReplay,
        target: dir,
        status: 'warn',
        message: `${waiting.length} old file(s) still wait for replay into PostgreSQL (is the gateway's auto backend replaying?): ${waiting
          .map((w) => w.file)
          .join(', ')
          .slice(0, 500)}`,
        rule: RULE,
        evidence: { waiting },
      });
    }
    return outcomeFromChecks(checks, { ...result });
  }

  /** `<file>.gz` written durably and checked to decompress to the same bytes before the original (and its sidecar) go. */
  private async gzip(dir: string, file: JsonlFile, raw: Buffer): Promise<void> {
    const target = join(dir, `${file.name}.gz`);
    await writeFileDurable(target, gzipSync(raw, { level: 9 }));
    const back = gunzipSync(await readFile(target));
    if (sha256(back) !== sha256(raw)) throw new Error(`${target}: gzip round trip differs; original kept`);
    await removeWithSidecar(dir, file.name);
  }
}
