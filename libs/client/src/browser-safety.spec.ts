import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every module the public index reaches, following relative imports and re-exports. */
function reachable(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    seen.set(file, text);
    for (const match of text.matchAll(/(?:import|export)[^'"]*from\s+'(\.[^']+)'/g)) visit(join(file, '..', `${match[1]!}.ts`));
  };
  visit(entry);
  return seen;
}

describe('@auditstack/client index is browser-safe', () => {
  const modules = reachable(join(__dirname, 'index.ts'));

  it('reaches the SDK modules, and not the Node-only shutdown hook', () => {
    const names = [...modules.keys()].map((f) => f.slice(__dirname.length + 1)).sort();
    expect(names).toEqual(expect.arrayContaining(['api.client.ts', 'event.emitter.ts', 'service.client.ts']));
    expect(names).not.toContain('shutdown-hook.util.ts');
  });

  it.each([
    ['a node: import', /from\s+'node:/],
    ['a Node built-in import', /from\s+'(fs|path|http|https|net|crypto|os|child_process|stream|util)'/],
    ['require()', /\brequire\(/],
    ['process', /\bprocess\./],
    ['Buffer', /\bBuffer\b/],
    ['a server-only package', /from\s+'(@nestjs\/|typeorm|pg|bullmq|ioredis|@auditstack\/audit-core\/server)/],
  ])('no module the index reaches uses %s', (_, pattern) => {
    const offenders = [...modules].filter(([, text]) => pattern.test(text)).map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
