import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ENTITLEMENTS, LIFECYCLE_ACTIONS } from '@auditstack/audit-core';
import { ApiError, ClientError, createClient, createCommonClient, createEventEmitter, type EmittedKind, type EmitterStats } from '@auditstack/client';
import { jsonOption, printResult } from '../cli/cli-output.util';
import { couldNotCheck, EXIT_CODES, usageError } from '../cli/exit-codes';
import { naturalNumber } from '../cli/option-parsers.util';

/** Where `auditstack emit` sends events when neither `--url` nor GATEWAY_URL says: the gateway `auditstack up` starts. */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

/** Most rejections listed one by one in the summary (the count is always exact). */
const MAX_LISTED_REJECTIONS = 1000;

/** One line that was not delivered: its 1-based line number and why. */
export interface LineRejection {
  line: number;
  errors: string[];
}

/** The summary `auditstack emit` prints (`--json`: this document). */
export interface EmitSummary {
  ok: boolean;
  /** Non-blank lines read. */
  lines: number;
  sent: number;
  duplicates: number;
  /** Lines not stored: unreadable JSON or kind (refused locally) and events the gateway refused. */
  rejected: number;
  /** Events given up after the retries (the gateway was unreachable or kept answering 503). */
  failed: number;
  retried: number;
  requests: number;
  seconds: number;
  events_per_second: number;
  /** The rejected lines in line order, the first {@link MAX_LISTED_REJECTIONS} of them. */
  rejections: LineRejection[];
}

interface EmitOptions {
  file?: string;
  kind: 'lifecycle' | 'tool' | 'auto';
  url?: string;
  token?: string;
  batchSize: number;
  concurrency: number;
  json?: boolean;
}

/**
 * The kind of an event read with `--kind auto`: a tool event has `tool` or
 * `req_id`; a lifecycle event has `engine_id` or a lifecycle `action`.
 */
export function detectKind(event: Record<string, unknown>): EmittedKind | null {
  if ('tool' in event || 'req_id' in event) return 'tool';
  if ('engine_id' in event || (typeof event['action'] === 'string' && (LIFECYCLE_ACTIONS as readonly string[]).includes(event['action']))) return 'lifecycle';
  return null;
}

/**
 * `auditstack emit`: sends lifecycle or tool events, one JSON object per line
 * (NDJSON) from stdin or `--file`, through the SDK's event emitter (batches,
 * retries honouring Retry-After, idempotent event ids). Exit 0: every event
 * stored (or already held); 1: some lines rejected (listed with their line
 * numbers); 2: usage error (no input, bad option, token refused); 3: the
 * gateway could not be reached (or events were given up after the retries).
 */
export function registerEmitCommand(program: Command): void {
  program
    .command('emit')
    .description('send lifecycle or tool events from NDJSON (stdin or --file) to the gateway, in batches, with retries')
    .option('--file <path>', 'read NDJSON from this file instead of stdin')
    .addOption(
      new Option('--kind <kind>', 'event kind of every line; auto: tool when a line has tool or req_id, lifecycle when it has engine_id or a lifecycle action')
        .choices(['lifecycle', 'tool', 'auto'])
        .default('auto'),
    )
    .option('--url <url>', `gateway base URL (default: GATEWAY_URL, else ${DEFAULT_GATEWAY_URL})`)
    .option('--token <token>', 'API token with events.write (default: AUDITSTACK_TOKEN); never printed')
    .option('--batch-size <n>', 'events per request (1-10000)', naturalNumber, 500)
    .option('--concurrency <n>', 'requests in flight per kind (1-64)', naturalNumber, 4)
    .addOption(jsonOption())
    .action(async (options: EmitOptions) => {
      const summary = await runEmit(options);
      printResult(options.json, summary, () => formatSummary(summary));
      if (summary.failed > 0) process.exitCode = EXIT_CODES.couldNotCheck;
      else if (summary.rejected > 0) process.exitCode = EXIT_CODES.checkFailed;
    });
}

async function runEmit(options: EmitOptions): Promise<EmitSummary> {
  const baseUrl = options.url ?? process.env['GATEWAY_URL'] ?? DEFAULT_GATEWAY_URL;
  const token = options.token ?? process.env['AUDITSTACK_TOKEN'];
  if (!token) throw usageError('no token: pass --token or set AUDITSTACK_TOKEN (a token with events.write)');
  if (options.batchSize < 1 || options.batchSize > 10_000) throw usageError('--batch-size: expected an integer 1-10000');
  if (options.concurrency < 1 || options.concurrency > 64) throw usageError('--concurrency: expected an integer 1-64');
  let client;
  try {
    client = createClient({ baseUrl, token, retry: { retries: 3 } });
  } catch (error) {
    throw usageError(`--url: ${error instanceof ClientError ? error.message : String(error)}`);
  }
  const input = await openInput(options.file);
  await checkToken(client, baseUrl);

  const rejections: LineRejection[] = [];
  let rejectedCount = 0;
  const reject = (line: number, errors: string[]): void => {
    rejectedCount++;
    rejections.push({ line, errors });
  };
  // event_id → line number, to name the line of an event the gateway refuses (first line wins for a repeated id).
  const lineOf = new Map<string, number>();
  const emitter = createEventEmitter({
    client,
    batchSize: options.batchSize,
    concurrency: options.concurrency,
    maxBuffer: Math.max(10_000, options.batchSize * options.concurrency * 2),
    overflow: 'block',
    onReject: (r) => reject(lineOf.get(String(r.event['event_id'])) ?? 0, [...r.errors]),
  });

  const started = performance.now();
  let lines = 0;
  const progress = startProgress(() => ({ lines, stats: emitter.stats() }), started);
  let readError: unknown;
  try {
    let lineNumber = 0;
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      lineNumber++;
      if (text.trim() === '') continue;
      lines++;
      let event: unknown;
      try {
        event = JSON.parse(text);
      } catch {
        reject(lineNumber, ['not valid JSON']);
        continue;
      }
      if (event === null || typeof event !== 'object' || Array.isArray(event)) {
        reject(lineNumber, ['must be a JSON object (one event per line)']);
        continue;
      }
      const record = event as Record<string, unknown>;
      const kind = options.kind === 'auto' ? detectKind(record) : options.kind;
      if (kind === null) {
        reject(lineNumber, ['cannot tell a lifecycle event from a tool event: pass --kind']);
        continue;
      }
      const receipt = await emitter.emit(kind, record);
      if (!lineOf.has(receipt.event_id)) lineOf.set(receipt.event_id, lineNumber);
    }
  } catch (error) {
    readError = error;
  }
  // What was read is delivered even when reading stopped half-way.
  const stats = await emitter.close();
  progress.stop();
  if (readError !== undefined)
    throw couldNotCheck(`reading ${options.file ?? 'stdin'} failed: ${readError instanceof Error ? readError.message : String(readError)}`, readError);
  const seconds = (performance.now() - started) / 1000;
  rejections.sort((a, b) => a.line - b.line);
  return {
    ok: rejectedCount === 0 && stats.failed === 0,
    lines,
    sent: stats.sent,
    duplicates: stats.duplicates,
    rejected: rejectedCount,
    failed: stats.failed,
    retried: stats.retried,
    requests: stats.requests,
    seconds: Math.round(seconds * 1000) / 1000,
    events_per_second: Math.round((stats.sent + stats.duplicates) / Math.max(seconds, 0.001)),
    rejections: rejections.slice(0, MAX_LISTED_REJECTIONS),
  };
}

/** stdin, or `--file`; a missing file is a usage error, stdin on a terminal too (nothing piped). */
async function openInput(file: string | undefined): Promise<Readable> {
  if (file !== undefined) {
    try {
      await access(file);
    } catch {
      throw usageError(`--file: ${file} cannot be read`);
    }
    return createReadStream(file, { encoding: 'utf8' });
  }
  if (process.stdin.isTTY) throw usageError('no input: pipe NDJSON on stdin or pass --file');
  return process.stdin;
}

/** One `whoami` before sending: the gateway is reachable (else exit 3) and the token is valid with events.write (else exit 2). */
async function checkToken(client: ReturnType<typeof createClient>, baseUrl: string): Promise<void> {
  let me;
  try {
    me = await createCommonClient(client).whoami();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403))
      throw usageError(`the gateway refused the token (${error.status} ${error.problem.code})`);
    throw couldNotCheck(`the gateway at ${baseUrl} could not be reached: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!me.entitlements.includes(ENTITLEMENTS.eventsWrite)) throw usageError(`the token ${me.name} lacks ${ENTITLEMENTS.eventsWrite}`);
}

/** Progress on stderr: a bar on a terminal, otherwise a plain line every 5 s. */
function startProgress(read: () => { lines: number; stats: EmitterStats }, started: number): { stop: () => void } {
  const done = (s: EmitterStats): number => s.sent + s.duplicates + s.rejected + s.failed + s.dropped;
  const rate = (n: number): number => Math.round(n / Math.max((performance.now() - started) / 1000, 0.001));
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { stream: process.stderr, format: 'emit [{bar}] {value}/{total} events | {rate} events/s', hideCursor: true, clearOnComplete: true },
      Presets.shades_classic,
    );
    bar.start(1, 0, { rate: 0 });
    const timer = setInterval(() => {
      const { lines, stats } = read();
      bar.setTotal(Math.max(lines, 1));
      bar.update(done(stats), { rate: rate(done(stats)) });
    }, 200);
    return {
      stop: () => {
        clearInterval(timer);
        bar.stop();
      },
    };
  }
  const timer = setInterval(() => {
    const { lines, stats } = read();
    process.stderr.write(`emit: ${lines} read, ${done(stats)} delivered or refused (${rate(done(stats))} events/s)\n`);
  }, 5000);
  return { stop: () => clearInterval(timer) };
}

function formatSummary(s: EmitSummary): string {
  const head = `emit: ${s.lines} lines in ${s.seconds} s (${s.events_per_second} events/s): ${s.sent} stored, ${s.duplicates} duplicates, ${s.rejected} rejected${s.failed ? `, ${s.failed} NOT delivered (gateway unreachable)` : ''}`;
  const listed = s.rejections.slice(0, 20).map((r) => `  line ${r.line}: ${r.errors.join('; ')}`);
  const more = s.rejected > listed.length ? [`  … ${s.rejected - listed.length} more (--json lists up to ${MAX_LISTED_REJECTIONS})`] : [];
  return [head, ...listed, ...more].join('\n');
}
