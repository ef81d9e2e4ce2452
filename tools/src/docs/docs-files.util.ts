import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEventCatalog } from './event-catalog.util';

/** A documentation file generated from code. */
export interface GeneratedDoc {
  /** Path relative to the repository root. */
  readonly file: string;
  readonly render: () => string;
}

/** The generated documentation files `auditstack docs` maintains. */
export const GENERATED_DOCS: readonly GeneratedDoc[] = [{ file: 'docs/events.md', render: renderEventCatalog }];

/** The generated files whose committed copy differs from what the code renders (missing ones included). */
export function staleDocs(root: string, docs: readonly GeneratedDoc[] = GENERATED_DOCS): string[] {
  return docs.filter((doc) => {
    const path = join(root, doc.file);
    return !existsSync(path) || readFileSync(path, 'utf8') !== doc.render();
  }).map((doc) => doc.file);
}

/** Writes the stale files; returns them. */
export function writeDocs(root: string, docs: readonly GeneratedDoc[] = GENERATED_DOCS): string[] {
  const stale = staleDocs(root, docs);
  for (const doc of docs) if (stale.includes(doc.file)) writeFileSync(join(root, doc.file), doc.render());
  return stale;
}
