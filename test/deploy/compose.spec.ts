import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Service {
  environment?: Record<string, string>;
  volumes?: string[];
  deploy?: { replicas?: number };
}
interface Compose {
  'x-service-env': Record<string, string>;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const compose = parse(readFileSync(join(__dirname, '..', '..', 'deploy', 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const env = (name: string): Record<string, string> => ({ ...compose['x-service-env'], ...compose.services[name]!.environment });
/** The named volume mounted at `path` in a service, or null (the container's own filesystem). */
const volumeAt = (name: string, path: string): string | null => {
  const mount = (compose.services[name]!.volumes ?? []).map((v) => v.split(':')).find(([, target]) => target === path);
  return mount && mount[0]! in compose.volumes ? mount[0]! : null;
};

describe('docker compose (deploy/docker-compose.yml)', () => {
  it("puts the gateway's spool on a named volume the engine's cleanup jobs share", () => {
    const spool = env('gateway').AUDIT_JSONL_DIR!;
    expect(spool).toBe(env('engine').AUDIT_JSONL_DIR);
    expect(volumeAt('gateway', spool)).not.toBeNull();
    expect(volumeAt('engine', spool)).toBe(volumeAt('gateway', spool));
  });

  it('gives the SQL checks their own reader login: migrate sets its password, the engine uses it, neither reuses DATABASE_URL', () => {
    expect(env('migrate').AUDIT_DATASOURCE_PASSWORD).toMatch(/AUDIT_DATASOURCE_PASSWORD/);
    expect(env('engine').AUDIT_DATASOURCE_PASSWORD).toBe(env('migrate').AUDIT_DATASOURCE_PASSWORD);
    expect(env('engine').AUDIT_DATASOURCE_URL).toBeUndefined();
  });

  it('runs one gateway per spool (its files have a single writer)', () => {
    expect(compose.services['gateway']!.deploy?.replicas ?? 1).toBe(1);
  });

  it('keeps the emergency-stop sentinel on a volume (a recreated container stays stopped)', () => {
    const sentinel = env('gateway').EMERGENCY_STOP_FILE!;
    expect(sentinel).toMatch(/^\/var\/lib\/auditstack\/.+\/EMERGENCY_STOP$/);
    expect(volumeAt('gateway', sentinel.slice(0, sentinel.lastIndexOf('/')))).not.toBeNull();
  });
});
