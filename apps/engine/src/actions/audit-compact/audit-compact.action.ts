import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { ACTION_TYPES, type Check, type CheckRule } from '@auditstack/audit-core';
import { ENGINE_CONFIG, type EngineConfig } from '../../config/engine.config';
import {
  addDays,
  GENESIS_HASH,
  isFullyReplayed,
  JSONL_PREFIXES,
  lineHash,
  listJsonlFiles,
  readJsonlText,
  removeWithSidecar,
  utcDay,
  verifyChain,
  writeFileDurable,
  type ChainLine,
  type JsonlFile,
  type JsonlPrefix,
} from '../../operations/jsonl-files.util';
import { operationsSettings, readPolicy } from '../../operations/operations-settings.util';
import { isoWeek } from '../../operations/report-files.util';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

export const AuditCompactConfigSchema = z
  .object({
    /** Merge one ISO week (Monday–Sunday) or one calendar month of daily files. @defaultValue 'week' */
    period: z.enum(['week', 'month']).default('week'),
    /** Which closed period: 1 = the previous one. A period that includes today is never compacted. @defaultValue 1 */
    offset: z.number().int().min(1).max(520).default(1),
    /** File families to compact. @defaultValue all of them */
    prefixes: z
      .array(z.enum(['lifecycle', 'tool_audit', 'gateway_markers', 'observability', 'cluster_audit']))
      .min(1)
      .default([...JSONL_PREFIXES]),
    /** Keep the daily files after the compacted file is written and verified. @defaultValue false */
    keep_sources: z.boolean().default(false),
  })
  .strict();
export type AuditCompactConfig = z.infer<typeof AuditCompactConfigSchema>;

const RULE: CheckRule = {
  id: 'audit_compact',
  description:
    'The daily JSONL files of a closed period are merged into one file with a fresh hash chain, only after every source chain verifies; the sources are removed only once the merged file is fsynced and re-verified.',
  reference: 'docs/operations.md §9',
};

/** One compacted line: the source line's content, where it came from, and the new chain. */
export interface CompactedLine {
  v: 1;
  type: string;
  record: Record<string, unknown>;
  spooled_at: string;
  source_file: string;
  source_line: number;
  source_hash: string;
  prev_hash: string;
  hash: string;
}

/** `[firstDay, lastDay]` of the period `offset` periods before the one containing `now` (UTC). */
export function compactPeriod(now: Date, period: 'week' | 'month', offset: number): { firstDay: string; lastDay: string } {
  if (period === 'week') {
    const monday = utcDay(isoWeek(now).monday);
    const first = addDays(monday, -7 * offset);
    return { firstDay: first, lastDay: addDays(first, 6) };
  }
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - offset, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - offset + 1, 1) - 86_400_000);
  return { firstDay: utcDay(start), lastDay: utcDay(end) };
}

/**
 * `audit_compact`: merges the daily JSONL files of a closed week or month into
 * `<prefix>_<first>_<last>.compact.jsonl`. Each merged line keeps the source
 * line's record, `spooled_at`, file, line number and hash, and is chained
 * afresh (same hash rule as the gateway's files). Refuses (fail, nothing
 * written) when a source chain is broken, and skips a family whose files are
 * still busy or not yet replayed into PostgreSQL.
 */
@ActionType({
  type: ACTION_TYPES.auditCompact,
  config: AuditCompactConfigSchema,
  description: 'Merges a closed week/month of daily JSONL files into one re-chained, verified file.',
})
export class AuditCompactAction implements ActionHandler<AuditCompactConfig> {
  constructor(@Inject(ENGINE_CONFIG) private readonly config: Readonly<EngineConfig>) {}

  async run(action: ActionView<AuditCompactConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const settings = operationsSettings(this.config);
    const policy = (await readPolicy(settings)).audit_files;
    const dir = settings.jsonlDir;
    const now = ctx.now();
    const { firstDay, lastDay } = compactPeriod(now, action.config.period, action.config.offset);
    const files = await listJsonlFiles(dir);
    const checks: Check[] = [];
    const written: { file: string; lines: number; sources: string[] }[] = [];
    for (const prefix of action.config.prefixes) {
      const target = `${prefix}_${firstDay}_${lastDay}.compact.jsonl`;
      const sources = files.filter((f) => f.prefix === prefix && !f.compacted && f.firstDay >= firstDay && f.lastDay <= lastDay);
      const checkId = `${RULE.id}.${prefix}`;
      if (sources.length === 0) {
        checks.push({
          check_id: checkId,
          target,
          status: 'pass',
          message: `${prefix}: no daily files from ${firstDay} to ${lastDay}`,
          rule: RULE,
          evidence: { firstDay, lastDay },
        });
        continue;
      }
      const outcome = await this.compact(dir, prefix, target, sources, {
        requireReplay: settings.backend !== 'jsonl',
        minIdleMs: policy.min_idle_minutes * 60_000,
        now,
        keepSources: action.config.keep_sources,
      });
      checks.push({ check_id: checkId, target, rule: RULE, ...outcome.check });
      if (outcome.written) written.push(outcome.written);
    }
    return outcomeFromChecks(checks, { period: { firstDay, lastDay }, written });
  }

  private async compact(
    dir: string,
    prefix: JsonlPrefix,
    target: string,
    sources: JsonlFile[],
    opts: { requireReplay: boolean; minIdleMs: number; now: Date; keepSources: boolean },
  ): Promise<{ check: Pick<Check, 'status' | 'message' | 'evidence'>; written?: { file: string; lines: number; sources: string[] } }> {
    const names = sources.map((s) => s.name);
    // 1. Every source verifies (and is settled) before anything is written.
    const verified: { file: JsonlFile; lines: ChainLine[] }[] = [];
    for (const file of sources) {
      const chain = verifyChain(await readJsonlText(dir, file));
      if (!chain.ok) {
        return {
          check: {
            status: 'fail',
            message: `${prefix}: refused — ${file.name} hash chain broken at line ${chain.line} (${chain.reason}); nothing written, sources kept`,
            evidence: { file: file.name, line: chain.line, reason: chain.reason, sources: names },
          },
        };
      }
      if (opts.now.getTime() - (await stat(join(dir, file.name))).mtimeMs < opts.minIdleMs) {
        return { check: { status: 'warn', message: `${prefix}: ${file.name} was modified recently; compaction postponed`, evidence: { file: file.name } } };
      }
      if (opts.requireReplay && !file.gz && !(await isFullyReplayed(dir, file.name, chain.lines))) {
        return {
          check: {
            status: 'warn',
            message: `${prefix}: ${file.name} is not yet fully replayed into PostgreSQL; compaction postponed`,
            evidence: { file: file.name },
          },
        };
      }
      verified.push({ file, lines: chain.lines });
    }
    // 2. The merged file, chained afresh, written durably.
    let prev = GENESIS_HASH;
    const out: string[] = [];
    const sourceHashes: string[] = [];
    for (const { file, lines } of verified) {
      lines.forEach((line, i) => {
        const body: Omit<CompactedLine, 'hash'> = {
          v: 1,
          type: line.type,
          record: line.record,
          spooled_at: line.spooled_at,
          source_file: file.name,
          source_line: i + 1,
          source_hash: line.hash,
          prev_hash: prev,
        };
        const hash = lineHash(body as unknown as Record<string, unknown>);
        out.push(JSON.stringify({ ...body, hash }));
        sourceHashes.push(line.hash);
        prev = hash;
      });
    }
    await writeFileDurable(join(dir, target), out.length ? `${out.join('\n')}\n` : '');
    // 3. Re-read and re-verify what is on disk before any source goes.
    const back = verifyChain(await readJsonlText(dir, { name: target, prefix, firstDay: '', lastDay: '', gz: false, compacted: true }));
    const sameLines = back.ok && back.lines.length === sourceHashes.length;
    if (!back.ok || !sameLines) {
      return {
        check: { status: 'error', message: `${prefix}: ${target} did not re-verify after writing; sources kept`, evidence: { target, sources: names } },
      };
    }
    if (!opts.keepSources) for (const name of names) await removeWithSidecar(dir, name);
    return {
      check: {
        status: 'pass',
        message: `${prefix}: merged ${names.length} file(s), ${sourceHashes.length} line(s) into ${target} (head ${back.lastHash.slice(0, 16)}…)${opts.keepSources ? '; sources kept' : ''}`,
        evidence: { target, lines: sourceHashes.length, head: back.lastHash, sources: names },
      },
      written: { file: target, lines: sourceHashes.length, sources: names },
    };
  }
}
