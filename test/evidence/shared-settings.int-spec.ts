import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FactoryProvider } from '@nestjs/common';
import { EvidenceService, evidenceOptionsFromSettings, readTrustRoot, type SqlPool } from '@auditstack/evidence-store';
import { engineEvidenceProvider } from '../../apps/engine/src/actions/evidence.provider';
import { loadEngineConfig } from '../../apps/engine/src/config/engine.config';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import type { TestDatabase } from '../support/db';
import { createEvidenceDatabase, poolFor, prng, tempHome, writeMixedBatch } from './evidence-fixture';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'bin', 'auditstack.js');

function auditstack(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * Issue 12 item 5: one evidence settings schema. The engine and the gateway,
 * each with its own home (two containers), read the same EVIDENCE_* settings
 * through their own config schemas: they sign with one key, anchor to one file
 * and pin one trust root, so the CLI verifies checkpoints from both. A key
 * path on a read-only filesystem is a clear error naming the setting.
 */
describe('one evidence settings schema for engine, gateway and CLI', () => {
  let db: TestDatabase;
  let pool: ReturnType<typeof poolFor>;

  beforeAll(async () => {
    db = await createEvidenceDatabase();
    pool = poolFor(db.url, 3);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('engine and gateway with the same settings: checkpoints from both verify under one trust file', async () => {
    const shared = tempHome();
    const settings = {
      DATABASE_URL: db.url,
      EVIDENCE_ORIGIN: 'audit.example/ledger',
      EVIDENCE_KEY_FILE: join(shared, 'keys', 'checkpoint.key'),
      EVIDENCE_ANCHOR_FILE: join(shared, 'worm', 'anchors.jsonl'),
      EVIDENCE_TRUST_FILE: join(shared, 'trust', 'trusted-keys.txt'),
    };
    const engineConfig = loadEngineConfig({ ...settings, AUDITSTACK_HOME: tempHome() });
    const gatewayConfig = loadGatewayConfig({ ...settings, AUDITSTACK_HOME: tempHome() });
    const engine = (engineEvidenceProvider as FactoryProvider<EvidenceService>).useFactory(engineConfig, pool) as EvidenceService;
    // What the gateway's EvidenceModule builds from its config.
    const gateway = new EvidenceService(evidenceOptionsFromSettings(pool as unknown as SqlPool, gatewayConfig));

    // First start (what `auditstack up` prints): pinned once, by whichever comes first.
    expect(await engine.pinTrustRoot()).toMatchObject({ pinned: true, trustFile: settings.EVIDENCE_TRUST_FILE });
    expect(await gateway.pinTrustRoot()).toMatchObject({ pinned: false, trustFile: settings.EVIDENCE_TRUST_FILE });
    const rand = prng(31);
    for (let i = 0; i < 6; i++) {
      await writeMixedBatch(pool as unknown as SqlPool, rand, 150, Date.now());
      await (i % 2 ? gateway : engine).checkpointNow();
    }
    expect(engine.verifierKey()).toBe(gateway.verifierKey());
    expect(engine.anchorFile).toBe(gateway.anchorFile);
    expect(readTrustRoot(settings.EVIDENCE_TRUST_FILE).keys).toHaveLength(1);
    expect(readFileSync(settings.EVIDENCE_ANCHOR_FILE, 'utf8').trim().split('\n')).toHaveLength(6);

    const run = await auditstack(['verify'], { ...settings, AUDITSTACK_HOME: tempHome() });
    expect(run.stdout).toMatch(/^verify OK \(database\): 900 entries, 900 payloads re-hashed, 6\/6 checkpoints, 6 anchors/);
    expect(run.code).toBe(0);
  });

  it('a key file on a read-only filesystem fails the checkpoint with EROFS and the setting to change, not a stack trace', async () => {
    const ro = tempHome();
    mkdirSync(join(ro, 'mnt'));
    const mnt = join(ro, 'mnt');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', mnt]);
    try {
      const config = loadEngineConfig({ DATABASE_URL: db.url, AUDITSTACK_HOME: tempHome(), EVIDENCE_KEY_FILE: join(mnt, 'keys', 'checkpoint.key') });
      const engine = (engineEvidenceProvider as FactoryProvider<EvidenceService>).useFactory(config, pool) as EvidenceService;
      await expect(engine.checkpointNow()).rejects.toMatchObject({
        code: 'KEY_FILE_INVALID',
        message: expect.stringMatching(/EROFS: read-only file system\): set EVIDENCE_KEY_FILE/),
      });
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
