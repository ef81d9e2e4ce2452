import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurable } from './jsonl-files.util';

/** Writes `<dir>/<base>.json` and `<dir>/<base>.md` durably (temp file, fsync, rename); returns both paths. */
export async function writeReport(dir: string, base: string, json: unknown, markdown: string): Promise<{ json: string; md: string }> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const paths = { json: join(dir, `${base}.json`), md: join(dir, `${base}.md`) };
  await writeFileDurable(paths.json, `${JSON.stringify(json, null, 2)}\n`, 0o640);
  await writeFileDurable(paths.md, markdown, 0o640);
  return paths;
}

/** A Markdown table; cells are escaped (`|`, newlines) because ids come from ingested events. */
export function mdTable(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (v: unknown): string => (v === null || v === undefined ? '–' : String(v)).replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
  if (rows.length === 0) return '_none_\n';
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n') + '\n';
}

/** ISO 8601 week of a UTC date: `{ year, week, monday }` (the week-numbering year can differ from the calendar year). */
export function isoWeek(d: Date): { year: number; week: number; monday: Date } {
  const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = day.getUTCDay() || 7;
  const monday = new Date(day.getTime() - (dow - 1) * 86_400_000);
  const thursday = new Date(monday.getTime() + 3 * 86_400_000);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = Math.floor((thursday.getTime() - jan1) / 86_400_000 / 7) + 1;
  return { year, week, monday };
}

/** `week-YYYY-WW` for the ISO week of `d`. */
export function isoWeekLabel(d: Date): string {
  const w = isoWeek(d);
  return `week-${w.year}-${String(w.week).padStart(2, '0')}`;
}
