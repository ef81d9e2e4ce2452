// @ts-check
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const swc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swc.$schema;

/** Shared by every project: swc keeps decorator metadata (Nest DI needs it). */
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { ...swc, swcrc: false }] },
  // NestJS 12 and a few of its dependencies ship ESM only: let swc turn them into CJS for jest.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@apidevtools|cookie|file-type|load-esm|content-disposition|strtok3|token-types|@tokenizer|uint8array-extras)/)',
  ],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  setupFiles: ['reflect-metadata'],
  modulePathIgnorePatterns: ['<rootDir>/apps/dashboard/.next/', '<rootDir>/tmp/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.next/', '/test/fixtures/', '<rootDir>/tmp/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,migrations,tools,test}/**/*.spec.{ts,tsx}'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,migrations,tools,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/integration-timeout.ts'],
    },
  ],
};
