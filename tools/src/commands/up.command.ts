import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Command } from 'commander';
import { MIGRATIONS } from '@auditstack/migrations';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';
import { Pool } from 'pg';
import { EvidenceService, evidenceOptionsFromSettings, evidenceSettingsFromEnv, recordTokenChange, type SqlPool } from '@auditstack/evidence-store';
import { ENTITLEMENTS } from '@auditstack/audit-core';
import { openDatabaseTarget } from '../database/database-target.util';
import { applyMigrations } from '../database/migration-runner.util';
import { startChild, stopChild, waitForHttp } from '../process/child-process.util';
import { jsonOption, writeJsonLine } from '../cli/cli-output.util';
import { classifyError, couldNotCheck, EXIT_CODES, usageError, type ExitCode } from '../cli/exit-codes';
import { seedDemo } from './seed.command';
import { demoAtFirstStart, loadDemoFleet } from './demo.command';

const ROOT = join(__dirname, '..', '..', '..');
const REGISTER = join(ROOT, 'tools', 'bin', 'register.js');

/** Node arguments that start a service: compiled JavaScript in an image, TypeScript through swc in the repository. */
function serviceArgs(app: 'engine' | 'gateway'): string[] {
  const compiled = join(ROOT, 'apps', app, 'src', 'main.js');
  return existsSync(compiled) ? [compiled] : ['-r', REGISTER, join(ROOT, 'apps', app, 'src', 'main.ts')];
}
/** The Next.js CLI, resolved when the dashboard starts: the engine image carries this CLI without Next.js. */
const nextBin = (): string => require.resolve('next/dist/bin/next');
const NX_BIN = join(ROOT, 'node_modules', 'nx', 'dist', 'bin', 'nx.js');
const DASHBOARD_DIR = join(ROOT, 'apps', 'dashboard');

interface UpOptions {
  dashboard: boolean;
  json?: boolean;
}

function port(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw usageError(`${key} must be a port number (0-65535)`);
  return value;
}

/**
 * `auditstack up`: the whole platform on this machine until SIGINT/SIGTERM
 * (exit 0), or until a service exits or startup fails (exit 3). Human mode
 * prints the URLs and `Press Ctrl+C to stop.`; with `--json`, stdout is JSON
 * lines: `listening` (one per service), `ready` (URLs, database, admin token at
 * first start, trust root) and `stopped` (exit code, reason); every log line
 * goes to stderr.
 */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start engine, gateway and dashboard on this machine (embedded database unless DATABASE_URL is set)')
    .option('--no-dashboard', 'start only the engine and the gateway')
    .addOption(jsonOption())
    .action(async (options: UpOptions) => {
      const event = (fields: Record<string, unknown>): void => {
        if (options.json) writeJsonLine(fields);
      };
      const env = process.env;
      const host = env.HOST ?? '127.0.0.1';
      const ports = {
        engine: port(env, 'ENGINE_PORT', 8200),
        gateway: port(env, 'GATEWAY_PORT', 8080),
        dashboard: port(env, 'DASHBOARD_PORT', 3000),
        embeddedPg: port(env, 'EMBEDDED_PG_PORT', 54329),
      };
      const children: ChildProcess[] = [];
      const target = await openDatabaseTarget(env, { port: ports.embeddedPg, owner: true });
      let stopping = false;
      const shutdown = async (code: ExitCode, reason: string): Promise<void> => {
        if (stopping) return;
        stopping = true;
        console.log('auditstack: stopping…');
        await Promise.all(children.map((c) => stopChild(c)));
        await target.release();
        event({ event: 'stopped', exit_code: code, reason });
        process.exit(code);
      };
      process.on('SIGINT', () => void shutdown(EXIT_CODES.ok, 'SIGINT'));
      process.on('SIGTERM', () => void shutdown(EXIT_CODES.ok, 'SIGTERM'));

      try {
        console.log(`auditstack: database ${target.describe}`);
        const dataSource = createDataSource({ url: target.url, applicationName: 'auditstack-up', migrations: [...MIGRATIONS], poolMax: 2 });
        await dataSource.initialize();
        const applied = await applyMigrations(dataSource);
        console.log(applied.length ? `auditstack: applied migrations ${applied.join(', ')}` : 'auditstack: schema up to date');
        const tokens = new ApiTokenRepository(dataSource, recordTokenChange);
        let adminToken: string | null = null;
        if (!(await tokens.anyActive())) {
          adminToken = (await tokens.create({ name: 'admin', entitlements: [ENTITLEMENTS.admin], actor: 'bootstrap' })).token;
          // First start: load the demo project (same as `auditstack seed`).
          await seedDemo((text, params) => dataSource.query(text, params), {
            engineUrl: `http://${host}:${ports.engine}`,
            transaction: (work) => dataSource.transaction((manager) => work((text, params) => manager.query(text, params))),
          });
          // And the demo fleet (`auditstack demo`; removable with `auditstack demo --remove`), on an embedded database only.
          if (demoAtFirstStart(env, target.embedded !== null)) await loadDemoFleet(target.url);
        }
        await dataSource.destroy();
        // The evidence trust root: pinned at first start and printed once, like the admin token.
        let trustLine: string;
        let trustRoot: Record<string, unknown>;
        const evidencePool = new Pool({ connectionString: target.url, max: 1, application_name: 'auditstack-up' });
        try {
          const trust = await new EvidenceService(evidenceOptionsFromSettings(evidencePool as unknown as SqlPool, evidenceSettingsFromEnv(env))).pinTrustRoot();
          trustLine = trust.pinned
            ? `  evidence trust root (pinned now; copy it out of band, \`verify --trust <copy>\` relies on it): ${trust.trustFile}\n    verifier key: ${trust.verifierKey}`
            : `  evidence trust root: ${trust.trustFile}`;
          trustRoot = { file: trust.trustFile, pinned_now: trust.pinned, verifier_key: trust.verifierKey };
        } catch (error) {
          trustLine = `  evidence: ${error instanceof Error ? error.message : String(error)}`;
          trustRoot = { error: error instanceof Error ? error.message : String(error) };
        } finally {
          await evidencePool.end();
        }

        const serviceEnv = { ...env, DATABASE_URL: target.url, HOST: host };
        // Embedded: the SQL checks' least-privilege login (the wire server confines it to its role).
        const engineDatasource = target.readerUrl && !env.AUDIT_DATASOURCE_URL ? { AUDIT_DATASOURCE_URL: target.readerUrl } : {};
        const urls = {
          engine: `http://${host}:${ports.engine}`,
          gateway: `http://${host}:${ports.gateway}`,
          dashboard: `http://${host}:${ports.dashboard}`,
        };
        const engine = startChild('engine', process.execPath, serviceArgs('engine'), {
          ...serviceEnv,
          ...engineDatasource,
          ENGINE_PORT: String(ports.engine),
        });
        const gateway = startChild('gateway', process.execPath, serviceArgs('gateway'), {
          ...serviceEnv,
          GATEWAY_PORT: String(ports.gateway),
        });
        children.push(engine, gateway);

        if (options.dashboard) {
          const dashboardEnv = { ...env, NEXT_TELEMETRY_DISABLED: '1', ENGINE_URL: urls.engine, GATEWAY_URL: urls.gateway };
          // Nx restores the build from its cache when the dashboard's sources are unchanged,
          // so a pulled change is rebuilt and an unchanged one starts in seconds.
          const firstBuild = !existsSync(join(DASHBOARD_DIR, '.next', 'BUILD_ID'));
          console.log(`auditstack: building the dashboard${firstBuild ? ' (first start: about a minute)' : ' (cached when unchanged)'}…`);
          const build = startChild(
            'dashboard-build',
            process.execPath,
            [NX_BIN, 'run', 'dashboard:build', '--outputStyle=static'],
            {
              ...dashboardEnv,
              NX_DAEMON: 'false',
              NX_NO_CLOUD: 'true',
            },
            ROOT,
          );
          children.push(build);
          const code = await new Promise<number | null>((r) => build.once('exit', r));
          if (code !== 0) throw couldNotCheck('the dashboard build failed (see the [dashboard-build] lines above)');
          children.push(
            startChild('dashboard', process.execPath, [nextBin(), 'start', '-p', String(ports.dashboard), '-H', host], dashboardEnv, DASHBOARD_DIR),
          );
        }
        for (const child of children) {
          child.once('exit', (code, signal) => {
            if (stopping || child.spawnargs.includes('dashboard:build')) return;
            console.error(`auditstack: a service exited (code ${code ?? signal}); stopping the others`);
            void shutdown(EXIT_CODES.couldNotCheck, `a service exited (code ${code ?? signal})`);
          });
        }

        const listening = async (service: string, url: string, probe: Promise<void>): Promise<void> => {
          await probe;
          event({ event: 'listening', service, url, ...(service === 'dashboard' ? {} : { docs: `${url}/docs` }) });
        };
        await Promise.all([
          listening('engine', urls.engine, waitForHttp(`${urls.engine}/ping`, 60_000, engine)),
          listening('gateway', urls.gateway, waitForHttp(`${urls.gateway}/ping`, 60_000, gateway)),
          ...(options.dashboard ? [listening('dashboard', urls.dashboard, waitForHttp(urls.dashboard, 120_000))] : []),
        ]);
        const lines = [
          '',
          'auditstack is up',
          ...(options.dashboard ? [`  dashboard  ${urls.dashboard}`] : []),
          `  engine     ${urls.engine}   (API docs: ${urls.engine}/docs)`,
          `  gateway    ${urls.gateway}   (API docs: ${urls.gateway}/docs)`,
          adminToken
            ? `  admin token (shown once, keep it safe): ${adminToken}`
            : '  admin token: printed at first start; make another with `npx auditstack tokens create --name NAME --entitlements admin`',
          trustLine,
          'Press Ctrl+C to stop.',
          '',
        ];
        console.log(lines.join('\n'));
        event({
          event: 'ready',
          database: target.describe,
          migrations_applied: applied,
          urls: options.dashboard ? urls : { engine: urls.engine, gateway: urls.gateway },
          // The first admin token, shown once (null after the first start), as the human output shows it.
          admin_token: adminToken,
          trust_root: trustRoot,
        });
      } catch (error) {
        const failure = classifyError(error);
        console.error(`auditstack: ${failure.message}`);
        await shutdown(failure.exitCode === EXIT_CODES.ok ? EXIT_CODES.couldNotCheck : failure.exitCode, `startup failed: ${failure.message}`);
      }
    });
}
