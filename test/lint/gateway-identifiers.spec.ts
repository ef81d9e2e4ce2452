import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EVENT_KINDS, GATEWAY_MARKERS, LEDGER_KINDS, LIFECYCLE_ACTION } from '@auditstack/audit-core';

/**
 * Persisted identifiers of the gateway — event kinds, ledger kinds, marker
 * names and the lifecycle actions its reports query by — are defined once in
 * audit-core (`constants/`). A quoted copy in the gateway or the evidence
 * store (in code, a type or an SQL text) would survive a rename of the
 * constant and silently stop matching the stored rows: this spec fails on one.
 */
const root = join(__dirname, '..', '..');
const SCANNED = ['apps/gateway/src', 'libs/evidence-store/src'];

const IDENTIFIERS = new Map<string, string>([
  ...Object.entries(EVENT_KINDS).map(([k, v]) => [v, `EVENT_KINDS.${k}`] as const),
  ...Object.entries(LEDGER_KINDS).map(([k, v]) => [v, `LEDGER_KINDS.${k}`] as const),
  ...Object.entries(GATEWAY_MARKERS).map(([k, v]) => [v, `GATEWAY_MARKERS.${k}`] as const),
  ...Object.entries(LIFECYCLE_ACTION).map(([k, v]) => [v, `LIFECYCLE_ACTION.${k}`] as const),
]);

/** Quoted words that are the same text as an identifier but mean something else, each with the reason. */
const ALLOWED: ReadonlyArray<{ readonly file: string; readonly line: RegExp; readonly why: string }> = [
  { file: 'apps/gateway/src/storage/postgres-event.store.ts', line: /col\('tool'\)/, why: 'the `tool` column of audit.tool_events, not the event kind' },
  {
    file: 'apps/gateway/src/timeline/timeline-sources.util.ts',
    line: /(r|d)\['(tool|marker)'\]/,
    why: "the `tool` column of a tool event, the `tool` field of a marker's details and the `marker` column, not the kinds",
  },
  {
    file: 'apps/gateway/src/storage/event-storage.service.ts',
    line: /rec\['marker'\]/,
    why: 'the `marker` field of a spooled marker record, not the ledger kind',
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The text of a line without its `//` comment (a quote inside a string literal keeps the rest). */
function withoutComment(line: string): string {
  const at = line.search(/(^|\s)\/\/(\s|$)/);
  return at >= 0 ? line.slice(0, at) : line;
}

/** Every quoted identifier in `text`: `'tool'`, `"marker"`, or inside SQL (`kind = 'tool'`). */
function quotedIdentifiers(text: string): string[] {
  const found: string[] = [];
  let inBlockComment = false;
  for (const raw of text.split('\n')) {
    let line = raw;
    if (inBlockComment) {
      const end = line.indexOf('*/');
      if (end < 0) continue;
      line = line.slice(end + 2);
      inBlockComment = false;
    }
    if (/^\s*(\/\*\*?|\*)/.test(line)) {
      if (line.includes('/*') && !line.includes('*/')) inBlockComment = true;
      continue;
    }
    for (const match of withoutComment(line).matchAll(/(['"])([a-z_]+)\1/g)) if (IDENTIFIERS.has(match[2]!)) found.push(match[2]!);
  }
  return found;
}

describe('persisted gateway identifiers are used through their audit-core constants', () => {
  it('the scanner finds a quoted identifier in code, a type and SQL, and ignores comments', () => {
    expect(quotedIdentifiers(`if (kind === 'tool') return;`)).toEqual(['tool']);
    expect(quotedIdentifiers(`const ids: Record<'lifecycle' | "tool", Set<string>> = {};`)).toEqual(['lifecycle', 'tool']);
    expect(quotedIdentifiers("await db.query(`SELECT 1 FROM audit.ledger WHERE kind = 'marker'`);")).toEqual(['marker']);
    expect(quotedIdentifiers(`recordMarker('tool_call_denied', details);`)).toEqual(['tool_call_denied']);
    expect(quotedIdentifiers(`count(*) FILTER (WHERE action = 'auto_restart_start')`)).toEqual(['auto_restart_start']);
    expect(quotedIdentifiers(`// a 'tool' event\n/** the 'marker' leaf */\nconst x = 1;`)).toEqual([]);
    expect(quotedIdentifiers(`const who = 'toolbox';`)).toEqual([]);
  });

  it('apps/gateway and libs/evidence-store hold no quoted copy of an event kind, ledger kind, marker name or queried lifecycle action', () => {
    const offences: string[] = [];
    const files = SCANNED.flatMap((dir) => sourceFiles(join(root, dir)));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const rel = relative(root, file);
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (ALLOWED.some((a) => a.file === rel && a.line.test(line))) return;
          for (const id of quotedIdentifiers(line)) offences.push(`${rel}:${i + 1}: '${id}' → use ${IDENTIFIERS.get(id)}`);
        });
    }
    expect(offences).toEqual([]);
  });
});
