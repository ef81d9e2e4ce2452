import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EXAMPLES,
  LIFECYCLE_METADATA_SCHEMAS,
  LIFECYCLE_VARIANT_EXAMPLES,
  LifecycleEventSchema,
  TOOL_EVENT_EXAMPLE,
  TOOL_EVENT_FIELDS,
  TOOL_EVENT_VARIANT_EXAMPLES,
  ToolEventSchema,
} from '@auditstack/audit-core';
import { GENERATED_DOCS, staleDocs, writeDocs } from './docs-files.util';
import { renderEventCatalog } from './event-catalog.util';

const catalog = renderEventCatalog();

/** The markdown between `#### <action>` and the next heading. */
function sectionOf(action: string): string {
  const start = catalog.indexOf(`\n#### ${action}\n`);
  expect(start).toBeGreaterThan(0);
  const end = catalog.slice(start + 1).search(/\n#{2,4} /);
  return catalog.slice(start, end < 0 ? undefined : start + 1 + end);
}

function jsonBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]!) as unknown);
}

describe('event catalog (docs/events.md)', () => {
  it.each(LIFECYCLE_ACTIONS)('%s: every metadata field with its presence, and the example that parses', (action) => {
    const section = sectionOf(action);
    const schema = LIFECYCLE_METADATA_SCHEMAS[action];
    for (const [field, fieldSchema] of Object.entries(schema.shape)) {
      const row = section.split('\n').find((line) => line.startsWith(`| \`${field}\` |`));
      expect(row).toBeDefined();
      expect(row).toContain((fieldSchema as { safeParse(v: unknown): { success: boolean } }).safeParse(undefined).success ? '| optional |' : '| required |');
    }
    const examples = jsonBlocks(section);
    expect(examples).toEqual([LIFECYCLE_EXAMPLES[action]]);
    const parsed = LifecycleEventSchema.safeParse(examples[0]);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('lists every tool-event field and an example that parses (the OpenAPI example)', () => {
    const tools = catalog.slice(catalog.indexOf('\n## Tool events'));
    for (const field of TOOL_EVENT_FIELDS) expect(tools).toContain(`| \`${field}\` |`);
    const examples = jsonBlocks(tools);
    expect(examples).toEqual([TOOL_EVENT_EXAMPLE, ...TOOL_EVENT_VARIANT_EXAMPLES.map((variant) => variant.event)]);
    for (const example of examples) expect(ToolEventSchema.safeParse(example).success).toBe(true);
  });

  it('shows every accepted lifecycle variant (seed 002 rows, unknown metadata keys) with an example that parses', () => {
    const start = catalog.indexOf('\n### Accepted variants\n');
    expect(start).toBeGreaterThan(0);
    const variants = catalog.slice(start, catalog.indexOf('\n## Tool events'));
    for (const variant of LIFECYCLE_VARIANT_EXAMPLES) expect(variants).toContain(`#### ${variant.title}\n\n${variant.note}\n`);
    const examples = jsonBlocks(variants);
    expect(examples).toEqual(LIFECYCLE_VARIANT_EXAMPLES.map((variant) => variant.event));
    for (const example of examples) expect(LifecycleEventSchema.safeParse(example).success).toBe(true);
  });

  it('states the tolerant rules: timestamp alias, actor default, unknown metadata keys kept and bounded, tool defaults', () => {
    const rowOf = (text: string, field: string): string => text.split('\n').find((line) => line.startsWith(`| \`${field}\` |`)) ?? '';
    const lifecycle = catalog.slice(0, catalog.indexOf('\n### Subject ids per action'));
    expect(rowOf(lifecycle, 'ts')).toContain('required (or `timestamp`)');
    expect(rowOf(lifecycle, 'ts')).toContain('PostgreSQL timestamptz text');
    expect(rowOf(lifecycle, 'timestamp')).toContain('optional (alias of `ts`)');
    expect(rowOf(lifecycle, 'actor')).toContain('optional (absent = `"system"`)');
    expect(rowOf(lifecycle, 'metadata')).toMatch(/unknown keys are kept .* at most 32 unknown keys, 4 levels deep, 8192 bytes of JSON.*EVENT_SCHEMA_MODE=strict/);
    const tools = catalog.slice(catalog.indexOf('\n## Tool events'));
    for (const field of ['duration_ms', 'in_size', 'out_size']) expect(rowOf(tools, field)).toContain('optional (absent = `0`)');
    expect(rowOf(tools, 'status')).toContain('stored as sent');
    expect(rowOf(tools, 'input_hash')).toContain('`""`');
  });

  it('states each rule as the schema words it to a refused client', () => {
    const row = sectionOf('health_failed')
      .split('\n')
      .find((line) => line.startsWith('| `consecutive_failures` |'));
    const refused = LifecycleEventSchema.safeParse({ ...LIFECYCLE_EXAMPLES.health_failed, metadata: { ...LIFECYCLE_EXAMPLES.health_failed.metadata, consecutive_failures: 0 } });
    expect(refused.success).toBe(false);
    const message = refused.success ? '' : refused.error.issues[0]!.message;
    expect(message).toContain('must be a positive integer');
    expect(row).toContain('must be a positive integer');
  });

  it('is deterministic', () => {
    expect(renderEventCatalog()).toBe(catalog);
  });
});

describe('auditstack docs --check', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'docs-check-'));
    writeFileSync(join(root, 'placeholder'), '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const docs = [{ file: 'events.md', render: () => catalog }];

  it('a missing file is stale', () => {
    expect(staleDocs(root, docs)).toEqual(['events.md']);
  });

  it('a hand-edited or outdated file is stale; --write makes it current', () => {
    writeFileSync(join(root, 'events.md'), catalog.replace('| `consecutive_failures` |', '| `failures` |'));
    expect(staleDocs(root, docs)).toEqual(['events.md']);
    expect(writeDocs(root, docs)).toEqual(['events.md']);
    expect(readFileSync(join(root, 'events.md'), 'utf8')).toBe(catalog);
    expect(staleDocs(root, docs)).toEqual([]);
    expect(writeDocs(root, docs)).toEqual([]);
  });

  it('the committed docs/events.md is what the schemas generate', () => {
    expect(GENERATED_DOCS.map((doc) => doc.file)).toEqual(['docs/events.md']);
    expect(staleDocs(join(__dirname, '..', '..', '..'))).toEqual([]);
  });
});
