import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * Proves the dependency rules of docs/architecture.md are alive: code that
 * breaks a boundary, linted as if it sat in that project, must fail lint.
 */
const root = join(__dirname, '..', '..');
const eslintBin = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/** Runs the real `eslint` CLI (as `npm run lint` does) on code placed at `file`. */
function boundaryErrors(code: string, file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', join(root, file)],
      { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } },
      (error, stdout, stderr) => {
        // Without a project graph the Nx rule silently skips itself: that must fail, not pass.
        if (/rule will be skipped/i.test(stderr)) return reject(new Error(`the boundary rule did not run: ${stderr}`));
        // exit code 1 means "problems found": that is what these tests look for.
        if (error && error.code !== 1) return reject(error);
        const [result] = JSON.parse(stdout) as Array<{ messages: LintMessage[] }>;
        resolve((result?.messages ?? []).filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message));
      },
    );
    child.stdin?.end(code);
  });
}

describe('module boundaries', () => {
  jest.setTimeout(60_000);

  beforeAll(async () => {
    // The rule reads Nx's project graph; compute it as `npm run lint` does.
    const nx = join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, [nx, 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' } }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  });

  it.each([
    ['typeorm', 'apps/dashboard/app/boundary-fixture.ts', `import { DataSource } from 'typeorm';\nexport const d = DataSource;\n`],
    ['@nestjs/common', 'apps/dashboard/app/boundary-fixture.ts', `import { Injectable } from '@nestjs/common';\nexport const i = Injectable;\n`],
    ['bullmq', 'apps/dashboard/src/lib/boundary-fixture.ts', `import { Queue } from 'bullmq';\nexport const q = Queue;\n`],
    ['ioredis', 'apps/dashboard/src/lib/boundary-fixture.ts', `import Redis from 'ioredis';\nexport const r = Redis;\n`],
  ])('the dashboard may not import %s', async (_pkg, file, code) => {
    expect(await boundaryErrors(code, file)).not.toHaveLength(0);
  });

  it('audit-core depends on nothing of ours', async () => {
    const code = `import { rootOf } from '@auditstack/evidence';\nexport const r = rootOf;\n`;
    expect(await boundaryErrors(code, 'libs/audit-core/src/boundary-fixture.ts')).not.toHaveLength(0);
  });

  it('evidence depends on nothing of ours', async () => {
    const code = `import { ENTITLEMENTS } from '@auditstack/audit-core';\nexport const e = ENTITLEMENTS;\n`;
    expect(await boundaryErrors(code, 'libs/evidence/src/boundary-fixture.ts')).not.toHaveLength(0);
  });

  it('collectors depend only on audit-core', async () => {
    const code = `import { rootOf } from '@auditstack/evidence';\nexport const r = rootOf;\n`;
    expect(await boundaryErrors(code, 'libs/collectors/src/boundary-fixture.ts')).not.toHaveLength(0);
  });

  it('no app imports another app', async () => {
    const code = `import { GatewayModule } from '../../gateway/src/gateway.module';\nexport const g = GatewayModule;\n`;
    expect(await boundaryErrors(code, 'apps/engine/src/boundary-fixture.ts')).not.toHaveLength(0);
  });

  it('allows what the architecture allows (the rule is not failing everything)', async () => {
    const code = `import { ENTITLEMENTS } from '@auditstack/audit-core';\nexport const e = ENTITLEMENTS;\n`;
    expect(await boundaryErrors(code, 'apps/engine/src/boundary-fixture.ts')).toEqual([]);
    expect(await boundaryErrors(code, 'apps/dashboard/app/boundary-fixture.ts')).toEqual([]);
    expect(await boundaryErrors(code, 'libs/collectors/src/boundary-fixture.ts')).toEqual([]);
  });
});
