'use strict';
// One place that makes `require('*.ts')` work for the CLI and the services it starts.
// swc honours experimentalDecorators + emitDecoratorMetadata from tsconfig.base.json.
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', 'tsconfig.base.json');
require('reflect-metadata');
require('@swc-node/register');
