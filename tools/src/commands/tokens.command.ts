import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ApiTokenRepository, createDataSource, TokenInputError, type ApiTokenEntity } from '@auditstack/audit-core/server';
import { ALL_ENTITLEMENTS } from '@auditstack/audit-core';
import { recordTokenChange } from '@auditstack/evidence-store';
import { openDatabaseTarget } from '../database/database-target.util';
import { JSON_OPTION_HELP, jsonOption, printResult, writeJson } from '../cli/cli-output.util';
import { usageError } from '../cli/exit-codes';

/** Who a CLI change is attributed to in `audit.config_changes`: the local operating-system user. */
function cliActor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid
  }
  return `cli:${user}`;
}

async function withTokens<T>(work: (tokens: ApiTokenRepository) => Promise<T>): Promise<T> {
  const target = await openDatabaseTarget();
  const dataSource = createDataSource({ url: target.url, applicationName: 'auditstack-cli', poolMax: 2 });
  try {
    await dataSource.initialize();
    return await work(new ApiTokenRepository(dataSource, recordTokenChange));
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await target.release();
  }
}

/** A token as `tokens create|revoke --json` print it: never its hash. */
function tokenView(record: ApiTokenEntity): Record<string, unknown> {
  return {
    id: record.id,
    name: record.name,
    principal: record.principal,
    entitlements: record.entitlements,
    workspace_id: record.workspaceId,
    created_at: record.createdAt,
    revoked_at: record.revokedAt,
  };
}

/**
 * `auditstack tokens create|list|revoke`. A refused input (unknown
 * entitlement, name taken) and a revoke that names no active token are usage
 * errors (exit 2).
 */
export function registerTokensCommand(program: Command): void {
  const tokens = program.command('tokens').description('manage API bearer tokens');

  tokens
    .command('create')
    .description('create a token; prints the secret alone on the last line (it is not stored and cannot be shown again)')
    .requiredOption('--name <name>', 'unique name of the token')
    .requiredOption('--entitlements <list>', `comma-separated: ${ALL_ENTITLEMENTS.join(', ')}`)
    .option('--workspace <id>', 'scope the token to one workspace')
    .option('--principal <who>', 'who the token acts for (defaults to the name)')
    .addOption(jsonOption(`${JSON_OPTION_HELP}; the document holds the secret (\`token\`)`))
    .action(async (options: { name: string; entitlements: string; workspace?: string; principal?: string; json?: boolean }) => {
      try {
        const { token, record } = await withTokens((repo) =>
          repo.create({
            name: options.name,
            entitlements: options.entitlements
              .split(',')
              .map((e) => e.trim())
              .filter(Boolean),
            workspaceId: options.workspace ?? null,
            ...(options.principal ? { principal: options.principal } : {}),
            actor: cliActor(),
          }),
        );
        console.error(`created token "${record.name}" (${record.entitlements.join(', ')}${record.workspaceId ? `; workspace ${record.workspaceId}` : ''})`);
        printResult(options.json, { token, ...tokenView(record) }, () => token);
      } catch (error) {
        if (error instanceof TokenInputError) throw usageError(error.message);
        throw error;
      }
    });

  tokens
    .command('list')
    .description('list tokens (never their secrets)')
    .addOption(jsonOption(`${JSON_OPTION_HELP}; an array of tokens`))
    .action(async (options: { json?: boolean }) => {
      const rows = await withTokens((repo) => repo.list());
      if (options.json) {
        // The shape this command has always printed (camelCase entity fields): scripts rely on it.
        writeJson(rows);
        return;
      }
      console.table(
        rows.map((r) => ({
          name: r.name,
          entitlements: r.entitlements.join(','),
          workspace: r.workspaceId ?? '*',
          created: r.createdAt.toISOString(),
          'last used': r.lastUsedAt?.toISOString() ?? '-',
          revoked: r.revokedAt?.toISOString() ?? '-',
        })),
      );
    });

  tokens
    .command('revoke')
    .description(
      'revoke a token by name or id; it stops working at once in the engine and at every listening gateway (NOTIFY), and is kept in the on-disk token cache of gateways for outages',
    )
    .argument('<name-or-id>')
    .addOption(jsonOption())
    .action(async (nameOrId: string, options: { json?: boolean }) => {
      const revoked = await withTokens((repo) => repo.revoke(nameOrId, { actor: cliActor() }));
      if (!revoked) throw usageError(`no active token "${nameOrId}"`);
      printResult(options.json, tokenView(revoked), () => `revoked ${nameOrId}`);
    });
}
