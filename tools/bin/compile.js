#!/usr/bin/env node
'use strict';
// Production build of the services: compiles every TypeScript source of the given
// workspaces to CommonJS JavaScript next to it with swc (decorator metadata kept, as
// Nest needs), and points each workspace's package.json at the .js files. The image
// build runs it inside its build stage; it refuses to touch a git work tree.
// Usage: node tools/bin/compile.js --root DIR WORKSPACE...
const { existsSync, readFileSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { transformFileSync } = require('@swc/core');

const args = process.argv.slice(2);
const rootIndex = args.indexOf('--root');
if (rootIndex < 0 || !args[rootIndex + 1]) {
  console.error('usage: compile.js --root DIR WORKSPACE...');
  process.exit(2);
}
const root = args[rootIndex + 1];
const workspaces = args.filter((_, i) => i !== rootIndex && i !== rootIndex + 1);
if (existsSync(join(root, '.git'))) {
  console.error(`compile.js: ${root} is a git work tree; compile a copy (the image build stage, or a temp dir)`);
  process.exit(2);
}

const swcrc = JSON.parse(readFileSync(join(__dirname, '..', '..', '.swcrc'), 'utf8'));
delete swcrc.$schema;
swcrc.sourceMaps = false;
const SKIP = /(\.spec|\.int-spec)\.tsx?$|\.d\.ts$/;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'testing' || name === 'testdata') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.tsx?$/.test(name) && !SKIP.test(name)) out.push(path);
  }
  return out;
}

const toJs = (value) => (typeof value === 'string' ? value.replace(/\.tsx?$/, '.js') : value);
let count = 0;
for (const workspace of workspaces) {
  const dir = join(root, workspace);
  for (const file of walk(join(dir, 'src'), [])) {
    const { code } = transformFileSync(file, { ...swcrc, swcrc: false, filename: file });
    writeFileSync(file.replace(/\.tsx?$/, '.js'), code);
    count++;
  }
  const manifestPath = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.main) manifest.main = toJs(manifest.main);
  delete manifest.types;
  if (manifest.exports) {
    for (const [key, value] of Object.entries(manifest.exports)) manifest.exports[key] = toJs(value);
  }
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`compiled ${relative(root, dir) || '.'}`);
}
console.log(`compile.js: ${count} files`);
