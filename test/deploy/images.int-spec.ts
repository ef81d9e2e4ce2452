import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { freePort } from '../support/ports';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * Docker does not run on these machines, so this builds each service the way its
 * Dockerfile does, from the files its build stage COPYs (minus .dockerignore), runs
 * the Dockerfile's own compile step, removes every TypeScript file as the image
 * does, and starts the image's CMD: if the context misses a file the service
 * needs, or the service still needs TypeScript at run time, it does not boot.
 * The dependency install is simulated by linking the repository's node_modules: all
 * of them for the compile step, then — as `npm prune --omit=dev` leaves it — only the
 * production dependency closure of the manifests in the context, so a service that
 * needs a dev dependency at run time does not boot either.
 */
interface Dockerfile {
  copies: Array<{ sources: string[]; dest: string }>;
  compile: string;
  cmd: string[];
}

function parseDockerfile(app: string): Dockerfile {
  const text = readFileSync(join(ROOT, 'deploy', 'docker', `${app}.Dockerfile`), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim());
  const stages = lines.reduce<string[][]>((acc, line) => (line.startsWith('FROM ') ? [...acc, [line]] : (acc[acc.length - 1]!.push(line), acc)), [[]]);
  const build = stages[1]!;
  const runtime = stages[2]!;
  const copies = build
    .filter((l) => l.startsWith('COPY ') && !l.includes('--from'))
    .map((l) => {
      const parts = l.split(/\s+/).slice(1);
      return { sources: parts.slice(0, -1), dest: parts[parts.length - 1]! };
    });
  const compile = /node tools\/bin\/compile\.js [^&]+/.exec(build.join('\n'))![0].trim();
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime.join('\n'))![1]!) as string[];
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(runtime.join('\n'));
  return { copies, compile, cmd: [...(entrypoint ? (JSON.parse(entrypoint[1]!) as string[]) : []), ...cmd] };
}

const ignorePatterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

function ignored(path: string): boolean {
  return ignorePatterns.some((pattern) => {
    if (pattern.startsWith('**/')) {
      const tail = pattern.slice(3);
      return tail.startsWith('*') ? basename(path).endsWith(tail.slice(1)) : path.split('/').includes(tail);
    }
    return path === pattern || path.startsWith(`${pattern}/`);
  });
}

function copyContext(source: string, target: string): void {
  const rel = relative(ROOT, source);
  if (ignored(rel)) return;
  if (statSync(source).isDirectory()) {
    mkdirSync(target, { recursive: true });
    for (const name of readdirSync(source)) copyContext(join(source, name), join(target, name));
  } else {
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target);
  }
}

const ROOT_MODULES = join(ROOT, 'node_modules');

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const readManifest = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8')) as Manifest;

/** Node's lookup of `name` from a package folder: its own node_modules, then each parent's, up to the repository. */
function resolvePackage(name: string, from: string): string | null {
  for (let dir = from; dir.startsWith(ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT) break;
  }
  return null;
}

/**
 * What `npm prune --omit=dev` keeps: the packages reachable from the `dependencies`
 * (and optional/peer dependencies that are installed) of the context's manifests.
 * Returns the top-level folder names under node_modules (`pg`, `@nestjs/core`).
 */
function productionPackages(context: string): Set<string> {
  const manifests = [join(context, 'package.json')];
  for (const group of ['apps', 'libs']) {
    if (existsSync(join(context, group))) for (const name of readdirSync(join(context, group))) manifests.push(join(context, group, name, 'package.json'));
  }
  for (const name of ['migrations', 'tools']) manifests.push(join(context, name, 'package.json'));
  const queue: Array<{ name: string; from: string }> = [];
  const enqueue = (manifest: Manifest, from: string): void => {
    // Optional peers are not installed for the package that names them (npm leaves them to the app).
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((name) => !manifest.peerDependenciesMeta?.[name]?.optional);
    for (const name of [...Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies }), ...peers]) queue.push({ name, from });
  };
  for (const file of manifests.filter((f) => existsSync(f))) enqueue(readManifest(file), ROOT);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const { name, from } = queue.pop()!;
    if (name.startsWith('@auditstack/')) continue;
    const dir = resolvePackage(name, from);
    if (!dir || seen.has(dir)) continue; // an optional or peer dependency that is not installed
    seen.add(dir);
    enqueue(readManifest(join(dir, 'package.json')), dir);
  }
  const top = new Set<string>();
  for (const dir of seen) {
    const rel = relative(ROOT_MODULES, dir);
    if (!rel.includes('node_modules') && !rel.startsWith('..')) top.add(rel); // nested ones come with their parent
  }
  return top;
}

/**
 * Stands in for the Dockerfile's `npm install` (every package) or, with
 * `productionOnly`, for what `npm prune --omit=dev` leaves; workspace links point
 * into the context. Returns the packages linked.
 */
function linkNodeModules(context: string, productionOnly = false): Set<string> {
  const modules = join(context, 'node_modules');
  rmSync(modules, { recursive: true, force: true });
  mkdirSync(join(modules, '@auditstack'), { recursive: true });
  const names = new Set<string>();
  for (const name of readdirSync(ROOT_MODULES)) {
    if (name === '@auditstack' || name === '.bin' || name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const sub of readdirSync(join(ROOT_MODULES, name))) names.add(`${name}/${sub}`);
    else names.add(name);
  }
  const keep = productionOnly ? productionPackages(context) : names;
  const linked = new Set<string>();
  for (const name of names) {
    if (!keep.has(name)) continue;
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(ROOT_MODULES, name), join(modules, name));
    linked.add(name);
  }
  for (const group of ['apps', 'libs']) {
    if (!existsSync(join(context, group))) continue;
    for (const name of readdirSync(join(context, group))) linkWorkspace(context, join(group, name));
  }
  for (const name of ['migrations', 'tools']) if (existsSync(join(context, name))) linkWorkspace(context, name);
  return linked;
}

function linkWorkspace(context: string, dir: string): void {
  const manifest = join(context, dir, 'package.json');
  if (!existsSync(manifest)) return;
  const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string };
  symlinkSync(join(context, dir), join(context, 'node_modules', name));
}

function listTs(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listTs(path, out);
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

describe.each(['engine', 'gateway'])('the %s image', (app) => {
  let context: string;
  let db: TestDatabase;
  let child: ChildProcess | undefined;
  let output = '';
  let runtimePackages = new Set<string>();

  beforeAll(async () => {
    const dockerfile = parseDockerfile(app);
    context = mkdtempSync(join(tmpdir(), `auditstack-image-${app}-`));
    for (const { sources, dest } of dockerfile.copies) {
      for (const source of sources) {
        const target = dest.endsWith('/') ? join(context, dest, basename(source)) : join(context, dest === './' ? basename(source) : dest);
        copyContext(join(ROOT, source), statSync(join(ROOT, source)).isDirectory() ? join(context, dest.replace(/\/$/, '') === '.' ? source : dest) : target);
      }
    }
    linkNodeModules(context);
    const [, script, ...args] = dockerfile.compile.split(/\s+/);
    await run(process.execPath, [join(context, script!), ...args.map((a) => (a === '/app' ? context : a))], { cwd: context });
    for (const dir of ['apps', 'libs', 'migrations', 'tools']) {
      if (existsSync(join(context, dir))) for (const file of listTs(join(context, dir))) rmSync(file);
    }
    runtimePackages = linkNodeModules(context, true);
    db = await createTestDatabase({ migrated: true });
    const port = await freePort();
    child = spawn(dockerfile.cmd[0]!, dockerfile.cmd.slice(1), {
      cwd: context,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        [`${app.toUpperCase()}_PORT`]: String(port),
        DATABASE_URL: db.url,
        AUDITSTACK_HOME: join(context, 'home'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    (globalThis as Record<string, unknown>)[`${app}Url`] = `http://127.0.0.1:${port}`;
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await db?.drop();
    if (context) rmSync(context, { recursive: true, force: true });
  });

  it('boots from the compiled build context with no TypeScript left, and /ping answers', async () => {
    const url = (globalThis as Record<string, unknown>)[`${app}Url`] as string;
    const deadline = Date.now() + 60_000;
    let body = '';
    while (Date.now() < deadline && child!.exitCode === null) {
      try {
        const res = await fetch(`${url}/ping`);
        body = await res.text();
        if (res.ok) break;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    if (body === '') throw new Error(`the ${app} did not answer /ping:\n${output}`);
    expect(body).toContain('"status":"ok"');
    expect(listTs(join(context, 'apps'))).toEqual([]);
  });

  it('runs on production dependencies only (no compiler, test runner or dashboard packages)', () => {
    expect(runtimePackages.has('pg')).toBe(true);
    for (const dev of ['typescript', '@swc/core', 'jest', 'eslint', 'nx', 'next', 'react', 'playwright-core', 'autocannon']) expect([dev, runtimePackages.has(dev)]).toEqual([dev, false]);
  });

  if (app === 'engine') {
    it('carries the auditstack CLI, runnable without TypeScript', async () => {
      const { stderr } = await run(process.execPath, ['tools/bin/auditstack.js', 'migrate', '--dry-run'], {
        cwd: context,
        env: { PATH: process.env.PATH, DATABASE_URL: db.url },
      });
      expect(stderr).toContain('no pending migrations; nothing would run');
    });
  }
});

describe('the dashboard image', () => {
  let context: string;
  let child: ChildProcess | undefined;
  let output = '';
  let url = '';

  beforeAll(async () => {
    const text = readFileSync(join(ROOT, 'deploy', 'docker', 'dashboard.Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
    const [, build = '', runtime = ''] = text.split(/^FROM /m);
    // Turbopack will not follow symlinks out of its root, so this context gets a real
    // node_modules: hard links (no data copied) need the same filesystem as the repository.
    mkdirSync(join(ROOT, 'tmp'), { recursive: true });
    context = mkdtempSync(join(ROOT, 'tmp', 'image-dashboard-'));
    for (const line of build.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('COPY ') && !l.includes('--from'))) {
      const parts = line.split(/\s+/).slice(1);
      const dest = parts.pop()!;
      for (const source of parts) {
        const isDir = statSync(join(ROOT, source)).isDirectory();
        copyContext(join(ROOT, source), isDir ? join(context, dest) : dest.endsWith('/') ? join(context, dest, basename(source)) : join(context, basename(source)));
      }
    }
    await run('cp', ['-al', join(ROOT, 'node_modules'), join(context, 'node_modules')]);
    // The Dockerfile's own build line, run in the assembled context.
    const buildLine = /^RUN (cd apps\/dashboard .+)$/m.exec(build)![1]!;
    const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NEXT_OUTPUT: 'standalone' };
    await run('bash', ['-c', buildLine], { cwd: context, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The runtime stage holds only the standalone folder: start the CMD from there.
    child = spawn(cmd[0]!, cmd.slice(1), {
      cwd: join(context, 'apps', 'dashboard', '.next', 'standalone'),
      env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), HOSTNAME: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  }, 360_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (context) rmSync(context, { recursive: true, force: true });
  });

  it('the standalone server built as the Dockerfile builds it answers /ping and serves the sign-in page', async () => {
    const deadline = Date.now() + 60_000;
    let ping = '';
    while (Date.now() < deadline && child!.exitCode === null) {
      try {
        const res = await fetch(`${url}/ping`);
        if (res.ok) {
          ping = await res.text();
          break;
        }
      } catch {
        // starting
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    if (ping === '') throw new Error(`the dashboard did not answer /ping:\n${output}`);
    expect(JSON.parse(ping)).toEqual({ status: 'ok' });
    const signIn = await fetch(`${url}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('auditstack');
  });
});
