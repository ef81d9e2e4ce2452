import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { COMMON_ROUTES, defineRoute, type RouteTable } from '@auditstack/audit-core';
import { checkOpenApiDocument, generateOpenApiText, writeOpenApiDocuments } from './openapi-check.util';
import { differingPaths, serializeOpenApiDocument } from './openapi-json.util';
import type { OpenApiTarget } from './openapi-targets.util';

const widget = (fields: z.ZodRawShape) =>
  defineRoute({
    operationId: 'getWidget',
    method: 'GET',
    path: '/v1/widgets/{id}',
    summary: 'One widget',
    tags: ['widgets'],
    auth: 'bearer',
    params: z.object({ id: z.string() }),
    response: { description: 'The widget.', schema: z.object(fields) },
    errors: [401, 404],
  });

function target(routes: RouteTable, version = '1.0.0'): OpenApiTarget {
  return { name: 'fixture', file: 'openapi/fixture.json', source: () => ({ title: 'fixture', description: 'fixture', version, routes, errors: {} }) };
}

const V1 = { ...COMMON_ROUTES, getWidget: widget({ id: z.string(), name: z.string() }) };
const V1_PLUS = { ...COMMON_ROUTES, getWidget: widget({ id: z.string(), name: z.string(), colour: z.string() }) };
const V2_BREAKING = { ...COMMON_ROUTES, getWidget: widget({ id: z.string() }) };

describe('auditstack openapi: drift and breaking changes against git', () => {
  let root: string;
  const run = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  const commitAll = (message: string): void => {
    run('add', '-A');
    run('-c', 'user.name=spec', '-c', 'user.email=spec@example.invalid', 'commit', '-qm', message);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'openapi-check-'));
    run('init', '-q');
    writeFileSync(join(root, 'README'), 'fixture\n');
    commitAll('first');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('--write writes the document with sorted keys, 2-space indentation and a final newline, and is idempotent', () => {
    expect(writeOpenApiDocuments(root, [target(V1)])).toEqual(['openapi/fixture.json']);
    const text = readFileSync(join(root, 'openapi/fixture.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "components": {');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['components', 'info', 'openapi', 'paths']);
    expect(writeOpenApiDocuments(root, [target(V1)])).toEqual([]);
  });

  it('a document that was never committed: not up to date, no baseline', () => {
    const report = checkOpenApiDocument(root, target(V1));
    expect(report).toMatchObject({ upToDate: false, ok: false, baseline: null, differingPaths: ['/ (not committed)'] });
  });

  it('a committed document that matches the code passes (no earlier version: no breaking check)', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    expect(checkOpenApiDocument(root, target(V1))).toMatchObject({ upToDate: true, ok: true, baseline: null, breakingChanges: [] });
  });

  it('code changed but document not regenerated (drift): fails naming the JSON paths', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    const report = checkOpenApiDocument(root, target(V1_PLUS));
    expect(report.ok).toBe(false);
    expect(report.upToDate).toBe(false);
    expect(report.differingPaths).toEqual(['/components/schemas/GetWidgetResponse/properties/colour', '/components/schemas/GetWidgetResponse/required/2']);
  });

  it('a hand-edited committed document (same code) is drift too', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    const path = join(root, 'openapi/fixture.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"summary": "One widget"', '"summary": "One gadget"'));
    expect(checkOpenApiDocument(root, target(V1))).toMatchObject({ ok: false, differingPaths: ['/paths/~1v1~1widgets~1{id}/get/summary'] });
  });

  it('an additive change regenerated in the working copy passes against HEAD', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    writeOpenApiDocuments(root, [target(V1_PLUS)]);
    expect(checkOpenApiDocument(root, target(V1_PLUS))).toMatchObject({ upToDate: true, baseline: 'HEAD', breakingChanges: [], ok: true });
  });

  it('a breaking change regenerated in the working copy fails against HEAD, naming it', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    writeOpenApiDocuments(root, [target(V2_BREAKING)]);
    const report = checkOpenApiDocument(root, target(V2_BREAKING));
    expect(report).toMatchObject({ upToDate: true, baseline: 'HEAD', majorBumped: false, ok: false });
    expect(report.breakingChanges).toEqual([
      expect.objectContaining({ operation: 'GET /v1/widgets/{id}', rule: 'response-property-removed', where: 'response 200.name' }),
    ]);
  });

  it('a breaking change committed last (CI) fails against the version before it', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    writeOpenApiDocuments(root, [target(V2_BREAKING)]);
    commitAll('breaking');
    const breaking = run('rev-parse', 'HEAD').trim().slice(0, 12);
    expect(checkOpenApiDocument(root, target(V2_BREAKING))).toMatchObject({ upToDate: true, baseline: `${breaking}~1`, ok: false });
  });

  it('a breaking change followed by unrelated commits still fails in CI (the baseline is the document before its last change, not HEAD~1)', () => {
    writeOpenApiDocuments(root, [target(V1)]);
    commitAll('document');
    writeOpenApiDocuments(root, [target(V2_BREAKING)]);
    commitAll('breaking');
    writeFileSync(join(root, 'README'), 'fixture, later\n');
    commitAll('unrelated');
    const report = checkOpenApiDocument(root, target(V2_BREAKING));
    expect(report).toMatchObject({ upToDate: true, ok: false });
    expect(report.breakingChanges).toHaveLength(1);
  });

  it('a breaking change with the info.version major bumped passes', () => {
    writeOpenApiDocuments(root, [target(V1, '1.3.0')]);
    commitAll('document');
    writeOpenApiDocuments(root, [target(V2_BREAKING, '2.0.0')]);
    commitAll('breaking, major bumped');
    const report = checkOpenApiDocument(root, target(V2_BREAKING, '2.0.0'));
    expect(report).toMatchObject({ majorBumped: true, ok: true });
    expect(report.breakingChanges).toHaveLength(1);
  });

  it('a minor bump does not excuse a breaking change', () => {
    writeOpenApiDocuments(root, [target(V1, '1.3.0')]);
    commitAll('document');
    writeOpenApiDocuments(root, [target(V2_BREAKING, '1.4.0')]);
    expect(checkOpenApiDocument(root, target(V2_BREAKING, '1.4.0'))).toMatchObject({ majorBumped: false, ok: false });
  });
});

describe('serialisation and drift paths', () => {
  it('sorts keys but keeps the declared order of schema properties', () => {
    const text = serializeOpenApiDocument({ b: 1, a: { properties: { z: { type: 'string' }, a: { type: 'number' } }, type: 'object' } });
    expect(text).toBe(
      '{\n  "a": {\n    "properties": {\n      "z": {\n        "type": "string"\n      },\n      "a": {\n        "type": "number"\n      }\n    },\n    "type": "object"\n  },\n  "b": 1\n}\n',
    );
  });

  it('the same routes always give the same bytes', () => {
    expect(generateOpenApiText(target(V1))).toBe(generateOpenApiText(target({ getWidget: V1.getWidget, ...COMMON_ROUTES })));
  });

  it('names added, removed and changed members as JSON Pointers', () => {
    expect(differingPaths({ a: 1, b: { 'x/y': [1, 2] }, gone: true }, { a: 2, b: { 'x/y': [1] }, added: 0 })).toEqual(['/a', '/b/x~1y/1', '/gone', '/added']);
  });
});
