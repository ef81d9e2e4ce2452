import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that reports the real reason: Node's recursive mkdir answers
 * ENOENT on a read-only filesystem, while creating the missing levels one by
 * one gives EROFS (or EACCES), which is what an operator needs to read.
 */
export function ensureDir(dir: string, mode = 0o700): void {
  if (existsSync(dir)) return;
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
