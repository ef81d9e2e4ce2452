import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildOpenApiDocument } from '@auditstack/service-kit';
import { findBreakingChanges, majorBumped, type BreakingChange } from './openapi-breaking.util';
import { differingPaths, serializeOpenApiDocument } from './openapi-json.util';
import type { OpenApiTarget } from './openapi-targets.util';

/** The committed document could not be compared (no git, an unreadable file): exit 3, not a failed check. */
export class OpenApiCheckError extends Error {
  override readonly name = 'OpenApiCheckError';
}

/** The verdict on one document. */
export interface OpenApiDocumentReport {
  readonly name: string;
  readonly file: string;
  /** The committed file equals the one generated from the code. */
  readonly upToDate: boolean;
  /** JSON Pointers where they differ (the first 50). */
  readonly differingPaths: readonly string[];
  /** The git revision the breaking-change check compared with, or null when there was none with this file. */
  readonly baseline: string | null;
  readonly breakingChanges: readonly BreakingChange[];
  /** `info.version`'s major was bumped over the baseline (breaking changes are then allowed). */
  readonly majorBumped: boolean;
  readonly ok: boolean;
}

/** The generated document of a target, serialised as it is committed. */
export function generateOpenApiText(target: OpenApiTarget): string {
  return serializeOpenApiDocument(buildOpenApiDocument(target.source()));
}

/** Writes each target's document; returns the files that changed. */
export function writeOpenApiDocuments(root: string, targets: readonly OpenApiTarget[]): string[] {
  const changed: string[] = [];
  for (const target of targets) {
    const path = join(root, target.file);
    const text = generateOpenApiText(target);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    changed.push(target.file);
  }
  return changed;
}

function git(root: string, args: readonly string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new OpenApiCheckError('git is not installed: cannot read the last committed document');
    return null;
  }
}

/**
 * The last committed version of a document before the change being checked:
 * `HEAD` when the working copy differs from it (a change being made);
 * otherwise the document as it was before the last commit that changed it
 * (CI, where the change may be followed by unrelated commits: comparing with
 * `HEAD~1` alone would let a breaking change through as soon as anything else
 * landed after it). Null when there is no earlier version.
 */
export function baselineOf(root: string, file: string, workingCopy: string | null): { revision: string; text: string } | null {
  if (git(root, ['rev-parse', '--git-dir']) === null) throw new OpenApiCheckError(`${root} is not a git checkout: cannot read the last committed document`);
  const head = git(root, ['show', `HEAD:${file}`]);
  if (head !== null && head !== workingCopy) return { revision: 'HEAD', text: head };
  const lastChange = git(root, ['log', '-n', '1', '--format=%H', 'HEAD', '--', file])?.trim();
  if (!lastChange) return null;
  const revision = `${lastChange.slice(0, 12)}~1`;
  const text = git(root, ['show', `${lastChange}~1:${file}`]);
  return text === null ? null : { revision, text };
}

function parse(text: string, what: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new OpenApiCheckError(`${what} is not valid JSON`);
  }
}

/**
 * Checks one document: the committed file must equal the generated one, and
 * the generated one must not break clients of the last committed version
 * unless its `info.version` major was bumped.
 */
export function checkOpenApiDocument(root: string, target: OpenApiTarget): OpenApiDocumentReport {
  const path = join(root, target.file);
  const generatedText = generateOpenApiText(target);
  const generated = parse(generatedText, `the generated ${target.name} document`);
  const committedText = existsSync(path) ? readFileSync(path, 'utf8') : null;
  const upToDate = committedText === generatedText;
  const paths = committedText === null ? ['/ (not committed)'] : upToDate ? [] : differingPaths(parse(committedText, target.file), generated);
  // Same JSON, other bytes (indentation, key order): still stale, say so.
  if (!upToDate && paths.length === 0) paths.push('/ (formatting: run auditstack openapi --write)');
  const baseline = baselineOf(root, target.file, committedText);
  const before = baseline ? parse(baseline.text, `${target.file} at ${baseline.revision}`) : null;
  const breakingChanges = before ? findBreakingChanges(before, generated) : [];
  const bumped = before ? majorBumped(before, generated) : false;
  return {
    name: target.name,
    file: target.file,
    upToDate,
    differingPaths: paths,
    baseline: baseline?.revision ?? null,
    breakingChanges,
    majorBumped: bumped,
    ok: upToDate && (breakingChanges.length === 0 || bumped),
  };
}
