import { CommanderError } from 'commander';
import { EvidenceError, type EvidenceErrorCode } from '@auditstack/evidence';
import { EvidenceStoreError, type EvidenceStoreErrorCode } from '@auditstack/evidence-store';

/**
 * The exit codes of every `auditstack` command, defined once (docs/cli.md
 * has the table). A script can tell "the answer is no" (1) from "you asked
 * wrongly" (2) from "I could not find out" (3).
 */
export const EXIT_CODES = {
  /** Done; every check passed. */
  ok: 0,
  /** The command ran and its answer is negative: verify found a problem, a job's run failed, migrate --check-drift found drift. */
  checkFailed: 1,
  /** The command line is wrong: unknown command or option, a missing or bad value, a name that names nothing. */
  usage: 2,
  /** No answer: the database, the engine or a file could not be reached or read, or the CLI crashed (a crash is never "check failed"). */
  couldNotCheck: 3,
} as const;

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** The stable name of each exit code, as `error.reason` in `--json` error documents. */
export const EXIT_REASONS: Readonly<Record<ExitCode, string>> = {
  0: 'ok',
  1: 'check_failed',
  2: 'usage_error',
  3: 'could_not_check',
};

/**
 * The error a command throws to end with a given exit code; `main` prints its
 * message (or, with `--json`, an error document on stdout) and exits with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly exitCode: Exclude<ExitCode, 0>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad command line or a value that names nothing (exit 2). */
export function usageError(message: string): CliError {
  return new CliError(EXIT_CODES.usage, message);
}

/** The command's answer is negative (exit 1). */
export function checkFailed(message: string): CliError {
  return new CliError(EXIT_CODES.checkFailed, message);
}

/** Something needed to answer could not be reached or read (exit 3). */
export function couldNotCheck(message: string, cause?: unknown): CliError {
  return new CliError(EXIT_CODES.couldNotCheck, message, cause === undefined ? undefined : { cause });
}

/**
 * Exit code of an evidence error thrown (rather than reported) by the
 * evidence library: evidence that is wrong, malformed or does not prove what
 * it should is a failed check; a missing key, trust root or timestamp
 * authority means no answer.
 */
export function exitCodeForEvidenceError(code: EvidenceErrorCode): ExitCode {
  switch (code) {
    case 'KEY_FILE_INVALID':
    case 'TSA_ERROR':
    case 'TRUST_ROOT_MISSING':
      return EXIT_CODES.couldNotCheck;
    case 'MALFORMED_INPUT':
    case 'PROOF_INVALID':
    case 'CHAIN_BROKEN':
    case 'LEAF_MISMATCH':
    case 'PAYLOAD_MISMATCH':
    case 'ROW_WITHOUT_LEAF':
    case 'LEAF_WITHOUT_ROW':
    case 'SEQUENCE_GAP':
    case 'ROOT_MISMATCH':
    case 'CHECKPOINT_CHAIN_BROKEN':
    case 'INCONSISTENT_CHECKPOINTS':
    case 'SIGNATURE_INVALID':
    case 'UNKNOWN_KEY':
    case 'TIMESTAMP_INVALID':
    case 'UNCOVERED_TAIL':
    case 'ANCHOR_MISSING':
    case 'ANCHOR_INCONSISTENT':
    case 'CADENCE_VIOLATION':
    case 'HEAD_INVALID':
    case 'KEY_NOT_TRUSTED':
    case 'ANCHOR_TRUNCATED':
    case 'RETENTION_VIOLATION':
    case 'RESULT_MISMATCH':
    case 'CONFIG_MISMATCH':
      return EXIT_CODES.checkFailed;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * Exit code of an evidence-store error (a request about the ledger): a seq or
 * tree size that names nothing is a usage error; a leaf no checkpoint covers
 * yet has no proof to give; a bundle that does not match its manifest is a finding.
 */
export function exitCodeForEvidenceStoreError(code: EvidenceStoreErrorCode): ExitCode {
  switch (code) {
    case 'NOT_FOUND':
    case 'INVALID_ARGUMENT':
      return EXIT_CODES.usage;
    case 'NOT_COVERED':
      return EXIT_CODES.couldNotCheck;
    case 'BUNDLE_INVALID':
      return EXIT_CODES.checkFailed;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/** What `main` reports for an error that ended a command. */
export interface CliFailure {
  exitCode: ExitCode;
  /** A machine-readable cause when one is known: an evidence error code, a system error code (`ECONNREFUSED`), a SQLSTATE, a commander code. */
  code: string | null;
  message: string;
  /** True when commander has already printed the message (usage errors, help). */
  printed: boolean;
}

/** The first `code` string on the error, its `cause` chain or its aggregated errors (`ECONNREFUSED` from pg or fetch hides there). */
function underlyingCode(error: unknown, depth = 0): string | null {
  if (depth > 4 || typeof error !== 'object' || error === null) return null;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && code !== '') return code;
  const nested = [
    (error as { cause?: unknown }).cause,
    ...((error as { errors?: unknown }).errors instanceof Array ? (error as { errors: unknown[] }).errors : []),
  ];
  for (const inner of nested) {
    const found = underlyingCode(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') return error.errors.map(messageOf).join('; ');
  if (error instanceof Error) {
    const cause = error.cause instanceof Error && error.message === 'fetch failed' ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Maps any error that ended a command to its exit code. Anything not known
 * to be a usage error or a negative answer is exit 3: a database, engine or
 * file out of reach, and also an unexpected crash — the command gave no
 * answer, and a script must not read a crash as "the check failed".
 */
export function classifyError(error: unknown): CliFailure {
  if (error instanceof CommanderError) {
    return { exitCode: error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage, code: error.code, message: error.message, printed: true };
  }
  if (error instanceof CliError) return { exitCode: error.exitCode, code: underlyingCode(error.cause), message: error.message, printed: false };
  if (error instanceof EvidenceError) return { exitCode: exitCodeForEvidenceError(error.code), code: error.code, message: error.message, printed: false };
  if (error instanceof EvidenceStoreError)
    return { exitCode: exitCodeForEvidenceStoreError(error.code), code: error.code, message: error.message, printed: false };
  return { exitCode: EXIT_CODES.couldNotCheck, code: underlyingCode(error), message: messageOf(error), printed: false };
}
