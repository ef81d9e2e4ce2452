import { formatIssuePath, WorkbookSpecSchema } from '@auditstack/audit-core';
import { locatePath, parseJsonSource, type JsonSyntaxProblem, type SourcePosition } from './json-source.util';

/**
 * What the workbook editor checks as you type: the JSON syntax (with line and
 * column), then the spec against `WorkbookSpecSchema` — the same zod schema
 * the engine validates saves with, so the messages and paths are the ones a
 * save would return (`steps[1].id: duplicate step id "fetch" (also steps[0])`).
 */

/** One problem of a spec: the path it names (`''` for the whole document), the full message, and where the path is. */
export interface SpecProblem {
  readonly path: string;
  /** `path: rule`, as the engine words it. */
  readonly message: string;
  readonly at?: SourcePosition;
}

export type SpecCheck =
  /** Valid JSON that passes the schema: `spec` is what would be sent. */
  | { readonly kind: 'valid'; readonly spec: Record<string, unknown> }
  /** Valid JSON with schema problems; the engine would refuse it with the same messages. */
  | { readonly kind: 'invalid'; readonly spec: unknown; readonly problems: readonly SpecProblem[] }
  /** Not JSON. */
  | { readonly kind: 'syntax'; readonly error: JsonSyntaxProblem };

/** Problems listed at most (a spec pasted into the wrong box can raise hundreds). */
export const MAX_PROBLEMS = 50;

/** Checks editor text: syntax first, then the shared spec schema. */
export function checkSpecText(text: string): SpecCheck {
  const source = parseJsonSource(text);
  if (!source.ok) return { kind: 'syntax', error: source.error };
  const parsed = WorkbookSpecSchema.safeParse(source.value);
  if (parsed.success) return { kind: 'valid', spec: source.value as Record<string, unknown> };
  const problems = parsed.error.issues.slice(0, MAX_PROBLEMS).map((issue): SpecProblem => {
    const path = formatIssuePath(issue.path);
    // audit-core messages usually carry their path already (see `formatIssues`).
    const message = path === '' || issue.message.startsWith(`${path}: `) ? issue.message : `${path}: ${issue.message}`;
    return { path, message, at: locatePath(text, source.offsets, path) };
  });
  return { kind: 'invalid', spec: source.value, problems };
}

/** A field path as audit-core messages start with it: `steps[1].assert[0].op`, `steps[0].extract["a b"]`. */
const MESSAGE_PATH = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*(?=: )/;

/**
 * The engine's refusal lines (`["steps[1].id: duplicate step id …", …]`), each
 * placed in `text` (the text that was sent) by the path it starts with. A line
 * without a path (`version: …` is a path too) is kept with no position.
 */
export function placeServerErrors(text: string, lines: readonly string[]): SpecProblem[] {
  const source = parseJsonSource(text);
  return lines.slice(0, MAX_PROBLEMS).map((message): SpecProblem => {
    const path = MESSAGE_PATH.exec(message)?.[0] ?? '';
    const at = source.ok && path !== '' ? locatePath(text, source.offsets, path) : undefined;
    return at ? { path, message, at } : { path, message };
  });
}

/**
 * What the editor sends: the spec with a `version` guard added when the text
 * has none — the version this save should create (`basedOn + 1`, 1 for a new
 * workbook), so a save made meanwhile by someone else is a 409, not silently
 * overwritten by a newer version built from stale text. When the name was
 * changed in the editor the guard does not apply (another workbook).
 */
export function withVersionGuard(spec: Record<string, unknown>, original: { name: string; version: number } | null): Record<string, unknown> {
  if (spec['version'] !== undefined) return spec;
  if (original === null) return { ...spec, version: 1 };
  return spec['name'] === original.name ? { ...spec, version: original.version + 1 } : spec;
}

/** The editor's starting text for a stored spec: pretty-printed, without the stored `version` (the save sets it). */
export function specToEditorText(spec: Readonly<Record<string, unknown>>): string {
  const { version: _version, ...rest } = spec;
  return `${JSON.stringify(rest, null, 2)}\n`;
}
