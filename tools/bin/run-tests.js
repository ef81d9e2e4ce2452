#!/usr/bin/env node
'use strict';
// `npm test`: builds what the tests drive (the dashboard; Nx caches the build), then runs
// every jest project — unit specs, integration specs on the machine's PostgreSQL and Redis,
// and end-to-end specs in Chromium — and ends with one "N passed, N failed" line.
// Extra arguments go to jest (e.g. `npm test -- --selectProjects unit`).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NEXT_TELEMETRY_DISABLED: '1' };

function run(label, command, args) {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: root, env, stdio: 'inherit' });
  return result.status ?? 1;
}

const nx = join(root, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
if (run('build the dashboard (cached by Nx when unchanged)', process.execPath, [nx, 'run', 'dashboard:build', '--outputStyle=static']) !== 0) {
  console.error('the dashboard build failed');
  process.exit(1);
}

const reportDir = mkdtempSync(join(tmpdir(), 'auditstack-jest-'));
const report = join(reportDir, 'report.json');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const status = run('jest: unit, integration and end-to-end specs', process.execPath, [jest, '--json', `--outputFile=${report}`, ...process.argv.slice(2)]);
try {
  const summary = JSON.parse(readFileSync(report, 'utf8'));
  console.log(`\n${summary.numPassedTests} passed, ${summary.numFailedTests} failed`);
  if (summary.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
} catch {
  console.error('jest wrote no report');
  process.exit(status || 1);
} finally {
  rmSync(reportDir, { recursive: true, force: true });
}
process.exit(status);
