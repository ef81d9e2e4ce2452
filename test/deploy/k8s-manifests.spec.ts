import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const VALIDATOR = join(ROOT, 'tools', 'bin', 'validate-k8s.mjs');
const K8S = join(ROOT, 'deploy', 'k8s');

interface Report {
  validated: number;
  objects: Array<{ kind: string; name: string }>;
  errors: string[];
}

function validate(dir: string): Promise<{ code: number; report: Report }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [VALIDATOR, dir, '--json'], { cwd: ROOT }, (error, stdout) => {
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, report: JSON.parse(stdout) as Report });
    });
  });
}

/** A copy of deploy/k8s with one file changed. */
function mutated(file: string, change: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'auditstack-k8s-'));
  cpSync(K8S, dir, { recursive: true });
  writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

describe('Kubernetes manifests (deploy/k8s)', () => {
  jest.setTimeout(60_000);
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('every object validates against the Kubernetes API schemas', async () => {
    const { code, report } = await validate(K8S);
    expect(report.errors).toEqual([]);
    expect(code).toBe(0);
    console.log(`k8s: ${report.validated} objects validated against the Kubernetes API schemas`);
    expect(report.objects.map((o) => `${o.kind}/${o.name}`)).toEqual(
      expect.arrayContaining([
        'Deployment/auditstack-engine',
        'Deployment/auditstack-gateway',
        'Deployment/auditstack-dashboard',
        'Job/auditstack-migrate',
        'PersistentVolumeClaim/auditstack-anchors',
        'PersistentVolumeClaim/auditstack-spool',
        'Secret/auditstack-secrets',
        'Service/auditstack-engine',
        'Service/auditstack-gateway',
      ]),
    );
  });

  it.each([
    ['a port that is not a number', 'engine-deployment.yaml', (t: string) => t.replace('containerPort: 8200', 'containerPort: "http"'), /containerPort must be integer/],
    ['a liveness probe not on /ping', 'gateway-deployment.yaml', (t: string) => t.replace(/livenessProbe:\n(\s+)httpGet: \{ path: \/ping/, 'livenessProbe:\n$1httpGet: { path: /healthz'), /livenessProbe must be an HTTP GET of \/ping/],
    ['a readiness probe on /ping for the gateway (it must report its dependencies)', 'gateway-deployment.yaml', (t: string) => t.replace('httpGet: { path: /ready, port: http }', 'httpGet: { path: /ping, port: http }'), /readinessProbe must be an HTTP GET of \/ready/],
    ['the gateway spool on the container filesystem', 'gateway-deployment.yaml', (t: string) => t.replace(/\n\s+- \{ name: spool, mountPath: \/var\/lib\/auditstack\/spool \}/, ''), /AUDIT_JSONL_DIR .* must be a PersistentVolumeClaim mount/],
    ['the engine without the spool volume (its cleanup jobs could not reach the files)', 'engine-deployment.yaml', (t: string) => t.replace('persistentVolumeClaim: { claimName: auditstack-spool }', 'emptyDir: {}'), /engine: AUDIT_JSONL_DIR .* must be a PersistentVolumeClaim mount/],
    ['a container without limits', 'dashboard-deployment.yaml', (t: string) => t.replace(/\s+limits: \{ cpu: 500m, memory: 384Mi \}/, ''), /resources.requests and resources.limits are required/],
    ['a pod allowed to run as root', 'migrate-job.yaml', (t: string) => t.replace('runAsNonRoot: true', 'runAsNonRoot: false'), /runAsNonRoot must be true/],
    ['an unknown kind', 'engine-service.yaml', (t: string) => t.replace('kind: Service', 'kind: Servise'), /not a kind this validator knows/],
  ])('rejects %s', async (_what, file, change, message) => {
    const dir = mutated(file, change);
    dirs.push(dir);
    const { code, report } = await validate(dir);
    expect(code).toBe(1);
    expect(report.errors.join('\n')).toMatch(message);
  });

  it('rejects a manifest that kustomization.yaml does not list', async () => {
    const dir = mutated('kustomization.yaml', (t) => t.replace('  - reports-pvc.yaml\n', ''));
    dirs.push(dir);
    const { code, report } = await validate(dir);
    expect(code).toBe(1);
    expect(report.errors.join('\n')).toContain('reports-pvc.yaml is not listed in kustomization.yaml');
  });
});
