import { Option, type Command } from 'commander';

/**
 * Where a command's output goes. Human mode: the result as text on stdout,
 * notes and progress on stderr. `--json` mode: stdout carries only what
 * {@link writeJson} / {@link writeJsonLine} write (one JSON document, or JSON
 * lines for long-running commands); everything else that would reach stdout —
 * a `console.log` deep in a library, a benchmark's figures, a child service's
 * log lines — is sent to stderr instead, so `auditstack … --json | jq` never
 * sees a stray line.
 */

/** The help text of `--json`, the same on every command. */
export const JSON_OPTION_HELP = 'machine-readable output on stdout: one JSON document (JSON lines for long-running commands); notes go to stderr';

type Write = typeof process.stdout.write;

/** `--json` options made by {@link jsonOption}: their commands write JSON through this module. */
const RESERVING_OPTIONS = new WeakSet<Option>();

/**
 * The `--json` option of a command that writes its result with
 * {@link writeJson} / {@link writeJsonLine}: given `--json`, such a command
 * gets stdout reserved for JSON ({@link enterJsonMode}). A command that
 * declares a plain `--json` and prints its own JSON with `console.log` is
 * left alone.
 */
export function jsonOption(description: string = JSON_OPTION_HELP): Option {
  const option = new Option('--json', description);
  RESERVING_OPTIONS.add(option);
  return option;
}

/** True when `command` declared its `--json` with {@link jsonOption}. */
export function reservesStdoutForJson(command: Command): boolean {
  return command.options.some((option) => RESERVING_OPTIONS.has(option));
}

let jsonStdout: Write | null = null;

/** True once {@link enterJsonMode} ran (the command was given `--json`). */
export function isJsonMode(): boolean {
  return jsonStdout !== null;
}

/** Reserves stdout for JSON: from now on any other write to stdout lands on stderr. Idempotent. */
export function enterJsonMode(): void {
  if (jsonStdout) return;
  jsonStdout = process.stdout.write.bind(process.stdout) as Write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as Write;
}

function writeStdout(text: string): void {
  if (jsonStdout) jsonStdout(text);
  else process.stdout.write(text);
}

/** Writes one JSON document (indented) on stdout: the whole result of a short command. */
export function writeJson(document: unknown): void {
  writeStdout(`${JSON.stringify(document, null, 2)}\n`);
}

/** Writes one event as a single JSON line on stdout (long-running commands: `up`, `db serve`). */
export function writeJsonLine(event: Record<string, unknown>): void {
  writeStdout(`${JSON.stringify(event)}\n`);
}

/**
 * The result of a command: `document` as JSON with `--json`, otherwise
 * `human()` printed on stdout (when it returns text).
 */
export function printResult(json: boolean | undefined, document: unknown, human: () => string | undefined): void {
  if (json) {
    writeJson(document);
    return;
  }
  const text = human();
  if (text !== undefined) console.log(text);
}

/** True when `--json` appears among the options of a command line (before a `--`), for errors raised before any command runs. */
export function argvRequestsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).includes('--json');
}
