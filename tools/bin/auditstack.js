#!/usr/bin/env node
'use strict';
// Runs the TypeScript CLI through swc (keeps decorator metadata, which Nest needs).
require('./register');
require('../src/main.ts');
