import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const FILE = join(__dirname, '..', '..', 'deploy', 'grafana', 'auditstack.json');
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

interface Panel {
  id: number;
  title: string;
  targets: Array<{ expr: string }>;
}

describe('Grafana dashboard (deploy/grafana/auditstack.json)', () => {
  const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { uid: string; title: string; panels: Panel[] };

  it('is valid JSON with a stable uid and unique panel ids', () => {
    expect(dashboard.uid).toBe('auditstack-overview');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('covers runs by status, schedule lag, ingest rate and latency, backend, tree size and checkpoint age', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const metric of [
      'auditstack_engine_runs_total',
      'auditstack_engine_schedule_lag_seconds_bucket',
      'auditstack_gateway_events_ingested_total',
      'auditstack_gateway_ingest_duration_seconds_bucket',
      'auditstack_gateway_backend',
      'auditstack_evidence_tree_size',
      'auditstack_evidence_last_checkpoint_timestamp_seconds',
    ]) {
      expect(exprs).toContain(metric);
    }
  });

  it('every query is valid PromQL (parsed by promtool as recording rules)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auditstack-grafana-'));
    try {
      const rules = dashboard.panels.flatMap((p) =>
        p.targets.map((t, i) => `      - record: dashboard:panel_${p.id}_${i}\n        expr: ${JSON.stringify(t.expr)}`),
      );
      writeFileSync(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      const { stdout } = await run(PROMTOOL, ['check', 'rules', join(dir, 'rules.yml')]);
      expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
