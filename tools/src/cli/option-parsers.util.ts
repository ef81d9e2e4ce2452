import { InvalidArgumentError } from 'commander';

/**
 * Parsers for option and argument values. They throw commander's
 * `InvalidArgumentError`, so a bad value is a usage error (exit 2) whose
 * message names the option: `error: option '--port <port>' argument 'x' is invalid. …`.
 */

const NATURAL = /^(0|[1-9][0-9]*)$/;

/** A non-negative integer (a ledger seq, a tree size, a count). */
export function naturalNumber(value: string): number {
  const n = Number(value);
  if (!NATURAL.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

/** A TCP port, 0–65535 (0 picks a free one). */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!NATURAL.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number (0-65535).');
  return n;
}

/** A finite number greater than zero (a scale factor, seconds). */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}
