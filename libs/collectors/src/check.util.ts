import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';

/** Builds one {@link Check}; keeps the shape in one place. */
export function makeCheck(
  checkId: string,
  target: string,
  status: CheckStatus,
  message: string,
  rule: CheckRule,
  evidence: Record<string, unknown> = {},
): Check {
  // The schema caps message at 4000 characters: messages may quote attacker-controlled text.
  return { check_id: checkId, target, status, message: truncate(message, 4000), rule, evidence };
}

/** Truncates a string to `max` characters, marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The reason a signal was aborted, as a readable string. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message || reason.name;
  if (typeof reason === 'string') return reason;
  return 'aborted';
}

/** Extracts a message from anything thrown, without trusting its shape. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/**
 * A signal that aborts when `parent` aborts or after `timeoutMs`, whichever
 * comes first. Node 20 has `AbortSignal.any` and `AbortSignal.timeout`.
 */
export function withTimeout(parent: AbortSignal, timeoutMs: number): AbortSignal {
  return AbortSignal.any([parent, AbortSignal.timeout(timeoutMs)]);
}
