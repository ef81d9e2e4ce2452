import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import { ActionType } from './action-type.decorator';

const ACTION_FILE = /^[a-z0-9-]+\.action\.(ts|js)$/;

/**
 * The action-type classes of `dir`: every class decorated with `@ActionType`
 * and exported from a `<folder>/<name>.action.ts` (or `.js` in a compiled
 * image). Adding a type is adding a folder — no list to edit; the registry
 * still refuses a duplicate id at boot.
 *
 * @defaultValue `dir` is this `actions/` folder.
 */
export function discoverActionTypes(dir: string = __dirname): Type[] {
  const found: Type[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(dir, entry.name);
    for (const file of readdirSync(folder).sort()) {
      if (!ACTION_FILE.test(file)) continue;
      // A compiled image has only the .js next to where the .ts was; a checkout has only the .ts.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(join(folder, file)) as Record<string, unknown>;
      for (const value of Object.values(exported)) {
        if (typeof value === 'function' && Reflect.getMetadata(ActionType.KEY, value) !== undefined) found.push(value as Type);
      }
    }
  }
  return found;
}
