/**
 * Standard 5-field cron (minute hour day-of-month month day-of-week, evaluated in UTC, as the
 * engine stores `actions.schedule`) in plain English: `0 9 * * *` → "every day at 09:00 UTC".
 * What it cannot phrase faithfully (`L`, `W`, `#`, stepped ranges, …) comes back unchanged, so the
 * page never shows a wrong sentence.
 */

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
const DAY_ALIASES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_ALIASES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Longest list of explicit times spelled out ("at 09:00, 12:00 and 17:00 UTC"). */
const MAX_TIMES = 6;

/** One parsed field. */
type Field =
  | { readonly kind: 'any' }
  | { readonly kind: 'step'; readonly step: number }
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'list'; readonly values: readonly number[] };

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly aliases?: readonly string[];
  /** First alias value (1 for months, 0 for days). */
  readonly aliasBase?: number;
}

const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, aliases: MONTH_ALIASES, aliasBase: 1 };
// 7 is Sunday too (cron-parser and Vixie cron accept it).
const DOW: Bounds = { min: 0, max: 7, aliases: DAY_ALIASES, aliasBase: 0 };

class Unphrasable extends Error {}

/** The schedule in words, or the expression itself (whitespace-normalised) when it cannot be phrased. */
export function cronToWords(expression: string): string {
  const raw = expression.trim().split(/\s+/).join(' ');
  try {
    return phrase(MACROS[raw.toLowerCase()] ?? raw);
  } catch (error) {
    if (error instanceof Unphrasable) return raw;
    throw error;
  }
}

function phrase(expression: string): string {
  const parts = expression.split(' ');
  if (parts.length !== 5) throw new Unphrasable();
  const [minuteText, hourText, domText, monthText, dowText] = parts as [string, string, string, string, string];
  const minute = parseField(minuteText, MINUTE);
  const hour = parseField(hourText, HOUR);
  const dom = parseField(domText, DOM);
  const month = parseField(monthText, MONTH);
  const dow = normaliseDow(parseField(dowText, DOW));

  const time = timePhrase(minute, hour);
  const days = dayPhrase(dom, month, dow, time.kind === 'point');
  if (time.kind === 'point') return `${days ?? 'every day'} at ${time.text} UTC`;
  return days === null ? time.text : `${time.text} ${days}`;
}

// ---------------------------------------------------------------------------
// Parsing.

function parseField(text: string, bounds: Bounds): Field {
  if (text === '*' || text === '?') return { kind: 'any' };
  const step = /^\*\/(\d+)$/.exec(text);
  if (step) {
    const n = Number(step[1]);
    if (n < 1 || n > bounds.max) throw new Unphrasable();
    return n === 1 ? { kind: 'any' } : { kind: 'step', step: n };
  }
  const range = /^([a-z0-9]+)-([a-z0-9]+)$/i.exec(text);
  if (range) {
    const from = value(range[1]!, bounds);
    const to = value(range[2]!, bounds);
    if (from > to) throw new Unphrasable();
    return from === to ? { kind: 'list', values: [from] } : { kind: 'range', from, to };
  }
  const items = text.split(',');
  if (items.some((item) => item === '')) throw new Unphrasable();
  const values = items.flatMap((item) => {
    const part = /^([a-z0-9]+)-([a-z0-9]+)$/i.exec(item);
    if (!part) return [value(item, bounds)];
    const from = value(part[1]!, bounds);
    const to = value(part[2]!, bounds);
    if (from > to) throw new Unphrasable();
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
  return { kind: 'list', values: [...new Set(values)].sort((a, b) => a - b) };
}

function value(text: string, bounds: Bounds): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < bounds.min || n > bounds.max) throw new Unphrasable();
    return n;
  }
  const index = bounds.aliases?.indexOf(text.toLowerCase()) ?? -1;
  if (index < 0) throw new Unphrasable();
  return index + (bounds.aliasBase ?? 0);
}

/** Day 7 is Sunday: fold it into 0, and a full week into "any". */
function normaliseDow(field: Field): Field {
  if (field.kind === 'range') {
    if (field.from === 0 && field.to >= 6) return { kind: 'any' };
    if (field.to === 7) {
      const values = Array.from({ length: 7 - field.from }, (_, i) => field.from + i);
      return normaliseDow({ kind: 'list', values: [0, ...values] });
    }
    return field;
  }
  if (field.kind === 'list') {
    const values = [...new Set(field.values.map((day) => (day === 7 ? 0 : day)))].sort((a, b) => a - b);
    if (values.length === 7) return { kind: 'any' };
    return { kind: 'list', values };
  }
  if (field.kind === 'step') throw new Unphrasable();
  return field;
}

// ---------------------------------------------------------------------------
// Time of day.

type TimePhrase = { readonly kind: 'point'; readonly text: string } | { readonly kind: 'repeat'; readonly text: string };

function timePhrase(minute: Field, hour: Field): TimePhrase {
  const every = (step: number, unit: string): string => (step === 1 ? `every ${unit}` : `every ${step} ${unit}s`);
  if (minute.kind === 'list' && hour.kind === 'list') {
    const times = hour.values.flatMap((h) => minute.values.map((m) => clock(h, m)));
    if (times.length > MAX_TIMES) throw new Unphrasable();
    return { kind: 'point', text: joinWords(times) };
  }
  if (hour.kind === 'any') {
    if (minute.kind === 'any') return { kind: 'repeat', text: 'every minute' };
    if (minute.kind === 'step') return { kind: 'repeat', text: every(minute.step, 'minute') };
    if (minute.kind === 'list') {
      if (minute.values.length === 1 && minute.values[0] === 0) return { kind: 'repeat', text: 'every hour' };
      const label = minute.values.length === 1 ? 'minute' : 'minutes';
      return { kind: 'repeat', text: `every hour at ${label} ${joinWords(minute.values.map(String))}` };
    }
    return { kind: 'repeat', text: `every minute from minute ${minute.from} to ${minute.to} of every hour` };
  }
  if (hour.kind === 'step') {
    if (minute.kind !== 'list' || minute.values.length !== 1) throw new Unphrasable();
    const m = minute.values[0]!;
    return { kind: 'repeat', text: `${every(hour.step, 'hour')}${m === 0 ? '' : ` at minute ${m}`}` };
  }
  // The hour is a range or a list of hours; the minute repeats inside it.
  const window = hour.kind === 'range' ? { from: hour.from, to: hour.to } : contiguous(hour.values);
  if (minute.kind === 'list') {
    if (minute.values.length !== 1 || !window) throw new Unphrasable();
    const m = minute.values[0]!;
    return { kind: 'repeat', text: `every hour from ${clock(window.from, m)} to ${clock(window.to, m)} UTC` };
  }
  if (minute.kind === 'range' || !window) throw new Unphrasable();
  const head = minute.kind === 'any' ? 'every minute' : every(minute.step, 'minute');
  return { kind: 'repeat', text: `${head} from ${clock(window.from, 0)} to ${clock(window.to, 59)} UTC` };
}

function contiguous(values: readonly number[]): { from: number; to: number } | null {
  const first = values[0]!;
  const last = values[values.length - 1]!;
  return last - first === values.length - 1 ? { from: first, to: last } : null;
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------
// Days.

/**
 * The day part, or `null` for "every day". `point` phrases read "every Monday at …";
 * repeating ones read "every 5 minutes on Mondays".
 */
function dayPhrase(dom: Field, month: Field, dow: Field, point: boolean): string | null {
  // Cron runs when EITHER day field matches if both are restricted: too subtle for one sentence.
  if (dom.kind !== 'any' && dow.kind !== 'any') throw new Unphrasable();
  const months = monthPhrase(month);

  if (dow.kind !== 'any') {
    const days = weekdayPhrase(dow, point);
    return months ? `${days} in ${months}` : days;
  }
  if (dom.kind === 'any') {
    if (!months) return null;
    return point ? `every day in ${months}` : `in ${months}`;
  }
  if (dom.kind === 'list' && dom.values.length === 1 && month.kind === 'list' && month.values.length === 1) {
    const date = `${dom.values[0]} ${MONTH_NAMES[month.values[0]! - 1]}`;
    return point ? `every year on ${date}` : `on ${date}`;
  }
  return `${monthDayPhrase(dom)} ${months ? `in ${months}` : 'of every month'}`;
}

function monthDayPhrase(dom: Field): string {
  switch (dom.kind) {
    case 'step':
      return `on every ${ordinal(dom.step)} day`;
    case 'range':
      return `on days ${dom.from} to ${dom.to}`;
    case 'list':
      return dom.values.length === 1 ? `on day ${dom.values[0]}` : `on days ${joinWords(dom.values.map(String))}`;
    default:
      throw new Unphrasable();
  }
}

function monthPhrase(month: Field): string | null {
  switch (month.kind) {
    case 'any':
      return null;
    case 'range':
      return `${MONTH_NAMES[month.from - 1]} to ${MONTH_NAMES[month.to - 1]}`;
    case 'list':
      return joinWords(month.values.map((m) => MONTH_NAMES[m - 1]!));
    case 'step':
      return `every ${ordinal(month.step)} month`;
    default:
      return assertNever(month);
  }
}

function weekdayPhrase(dow: Field, point: boolean): string {
  const prefix = point ? 'every' : 'on';
  const values = dow.kind === 'range' ? Array.from({ length: dow.to - dow.from + 1 }, (_, i) => dow.from + i) : dow.kind === 'list' ? dow.values : [];
  if (values.join() === '1,2,3,4,5') return point ? 'every weekday' : 'on weekdays';
  if (values.join() === '0,6') return point ? 'every Saturday and Sunday' : 'on weekends';
  if (dow.kind === 'range') return `${prefix} ${DAY_NAMES[dow.from]} to ${DAY_NAMES[dow.to]}`;
  // Monday-first reading order: Sunday goes last.
  const ordered = [...values.filter((day) => day !== 0), ...values.filter((day) => day === 0)];
  const names = ordered.map((day) => DAY_NAMES[day]!);
  if (!point && names.length === 1) return `on ${names[0]}s`;
  return `${prefix} ${joinWords(names)}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** "a", "a and b", "a, b and c". */
function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function assertNever(value: never): never {
  throw new Error(`unexpected cron field ${JSON.stringify(value)}`);
}
