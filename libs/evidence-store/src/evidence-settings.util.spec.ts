import { evidenceOptionsFromSettings, evidenceSettingsFromEnv } from './evidence-settings.util';
import type { SqlPool } from './sql.util';

describe('evidence settings', () => {
  const db = {} as SqlPool;

  it('default to the local stamper and the 1000 leaves / 60 s / hourly cadence', () => {
    const opts = evidenceOptionsFromSettings(db, evidenceSettingsFromEnv({}));
    expect(opts.stamper).toEqual({ kind: 'local' });
    expect(opts.policy).toEqual({ everyLeaves: 1000, everySeconds: 60, heartbeatSeconds: 3600 });
    expect(opts.home).toBeUndefined();
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
      stamper: { kind: 'rfc3161', url: 'http://tsa.example/', certFile: '/tsa.pem' },
      policy: { everyLeaves: 10, everySeconds: 5, heartbeatSeconds: 600 },
    });
  });

  it('name every bad key without printing values', () => {
    expect(() => evidenceSettingsFromEnv({ CHECKPOINT_EVERY_LEAVES: '-3', CHECKPOINT_EVERY_SECONDS: 'soon', TSA_URL: 'http://secret-tsa/' })).toThrow(
      /CHECKPOINT_EVERY_LEAVES must be a positive integer; CHECKPOINT_EVERY_SECONDS must be a positive integer; TSA_CERT_FILE is required/,
    );
    expect(() => evidenceSettingsFromEnv({ TSA_URL: 'http://secret-tsa/' })).not.toThrow(/secret/);
  });
});
