#!/usr/bin/env node
'use strict';
// The auditstack CLI. In a production image the sources are compiled (tools/bin/compile.js)
// and run as plain JavaScript; in the repository they run through swc, which keeps the
// decorator metadata Nest needs.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const compiled = join(__dirname, '..', 'src', 'main.js');
if (existsSync(compiled)) {
  require('reflect-metadata');
  require(compiled);
} else {
  require('./register');
  require('../src/main.ts');
}
