import { EVIDENCE_SETTINGS_SHAPE, evidenceOptionsFromSettings, evidenceSettingsFromEnv } from './evidence-settings.util';
import type { SqlPool } from './sql.util';

describe('evidence settings', () => {
  const db = {} as SqlPool;

  it('default to the local stamper and the 1000 leaves / 60 s / hourly cadence', () => {
    const opts = evidenceOptionsFromSettings(db, evidenceSettingsFromEnv({}));
    expect(opts.stamper).toEqual({ kind: 'local' });
    expect(opts.policy).toEqual({ everyLeaves: 1000, everySeconds: 60, heartbeatSeconds: 3600 });
    expect(opts).toMatchObject({ home: '.auditstack', origin: 'auditstack.local/ledger', retentionFloorDays: 30, verifyGraceSeconds: 60 });
  });

  it('map every key', () => {
    const opts = evidenceOptionsFromSettings(
      db,
      evidenceSettingsFromEnv({
        AUDITSTACK_HOME: '/h',
        EVIDENCE_ORIGIN: 'log.example/x',
        EVIDENCE_KEY_FILE: '/k',
        EVIDENCE_ANCHOR_FILE: '/a',
        EVIDENCE_TRUST_FILE: '/t',
        EVIDENCE_TRUST_STATE_FILE: '/s',
        EVIDENCE_RETENTION_FLOOR_DAYS: '90',
        EVIDENCE_VERIFY_GRACE_SECONDS: '15',
        CHECKPOINT_EVERY_LEAVES: '10',
        CHECKPOINT_EVERY_SECONDS: '5',
        CHECKPOINT_HEARTBEAT_SECONDS: '600',
        TSA_URL: 'http://tsa.example/',
        TSA_CERT_FILE: '/tsa.pem',
      }),
    );
    expect(opts).toMatchObject({
      home: '/h',
      origin: 'log.example/x',
      keyFile: '/k',
      anchorFile: '/a',
      trustFile: '/t',
      trustStateFile: '/s',
      retentionFloorDays: 90,
      verifyGraceSeconds: 15,
      stamper: { kind: 'rfc3161', url: 'http://tsa.example/', certFile: '/tsa.pem' },
      policy: { everyLeaves: 10, everySeconds: 5, heartbeatSeconds: 600 },
    });
  });

  it('name every bad key without printing values', () => {
    const bad = (): unknown =>
      evidenceSettingsFromEnv({ CHECKPOINT_EVERY_LEAVES: '-3', CHECKPOINT_EVERY_SECONDS: 'soon', EVIDENCE_ORIGIN: 'has space secret' });
    expect(bad).toThrow(/CHECKPOINT_EVERY_LEAVES: must be a positive integer[\s\S]*CHECKPOINT_EVERY_SECONDS: must be a positive integer/);
    expect(bad).toThrow(/EVIDENCE_ORIGIN/);
    expect(bad).not.toThrow(/secret/);
    expect(() => evidenceSettingsFromEnv({ TSA_URL: 'http://secret-tsa/' })).toThrow(/TSA_CERT_FILE is required/);
    expect(() => evidenceSettingsFromEnv({ TSA_URL: 'http://secret-tsa/' })).not.toThrow(/secret/);
  });

  it('are one schema: the gateway and the engine configs carry every evidence key with the same parse', () => {
    // The apps spread EVIDENCE_SETTINGS_SHAPE into their own schemas; this pins the keys they get.
    expect(Object.keys(EVIDENCE_SETTINGS_SHAPE).sort()).toEqual(
      [
        'AUDITSTACK_HOME',
        'CHECKPOINT_EVERY_LEAVES',
        'CHECKPOINT_EVERY_SECONDS',
        'CHECKPOINT_HEARTBEAT_SECONDS',
        'EVIDENCE_ANCHOR_FILE',
        'EVIDENCE_KEY_FILE',
        'EVIDENCE_ORIGIN',
        'EVIDENCE_RETENTION_FLOOR_DAYS',
        'EVIDENCE_TRUST_FILE',
        'EVIDENCE_TRUST_STATE_FILE',
        'EVIDENCE_VERIFY_GRACE_SECONDS',
        'TSA_CERT_FILE',
        'TSA_URL',
      ].sort(),
    );
  });
});
