import {
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EVENT_SCHEMAS,
  LifecycleEventSchema,
  StrictLifecycleEventSchema,
  unknownMetadataKeys,
} from '../schemas/lifecycle-event.schema';
import { isRecognisedToolStatus, ToolEventSchema } from '../schemas/tool-event.schema';
import { LIFECYCLE_EXAMPLES, LIFECYCLE_VARIANT_EXAMPLES, TOOL_EVENT_EXAMPLE, TOOL_EVENT_VARIANT_EXAMPLES } from './event-examples';

describe('event examples (catalog and OpenAPI)', () => {
  it('has one example per lifecycle action, each of its own action', () => {
    expect(Object.keys(LIFECYCLE_EXAMPLES).sort()).toEqual([...LIFECYCLE_ACTIONS].sort());
    for (const [action, example] of Object.entries(LIFECYCLE_EXAMPLES)) expect(example.action).toBe(action);
  });

  it.each(LIFECYCLE_ACTIONS)('the %s example parses with the lifecycle event schema and its action schema', (action) => {
    const example = LIFECYCLE_EXAMPLES[action];
    const parsed = LifecycleEventSchema.safeParse(example);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(LIFECYCLE_EVENT_SCHEMAS[action].safeParse(example).success).toBe(true);
  });

  it('every example sets at least one metadata field, so the catalog shows metadata in use', () => {
    for (const example of Object.values(LIFECYCLE_EXAMPLES)) expect(Object.keys(example.metadata).length).toBeGreaterThan(0);
  });

  it('the tool-event example parses with the tool event schema and sets every field', () => {
    const parsed = ToolEventSchema.safeParse(TOOL_EVENT_EXAMPLE);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    expect(Object.keys(ToolEventSchema.shape).filter((key) => !(key in TOOL_EVENT_EXAMPLE))).toEqual([]);
  });
});

describe('event variant examples (accepted shapes besides the canonical one)', () => {
  it.each(LIFECYCLE_VARIANT_EXAMPLES.map((v) => [v.title, v] as const))('lifecycle variant %s parses', (_title, variant) => {
    const parsed = LifecycleEventSchema.safeParse(variant.event);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('the unknown-metadata variant is refused in strict mode and flags its keys', () => {
    const variant = LIFECYCLE_VARIANT_EXAMPLES.find((v) => unknownMetadataKeys(v.event.action, v.event.metadata).length > 0);
    expect(variant && unknownMetadataKeys(variant.event.action, variant.event.metadata)).toEqual(['tier', 'port']);
    expect(StrictLifecycleEventSchema.safeParse(variant?.event).success).toBe(false);
  });

  it('the lifecycle variants show the timestamp alias, PostgreSQL text, an absent actor and null subject ids', () => {
    const events = LIFECYCLE_VARIANT_EXAMPLES.map((v) => v.event as Record<string, unknown>);
    expect(events.some((e) => 'timestamp' in e && !('ts' in e))).toBe(true);
    expect(events.some((e) => !('actor' in e))).toBe(true);
    expect(events.some((e) => / \d{2}:\d{2}:\d{2}/.test(String(e['timestamp'] ?? e['ts'])))).toBe(true);
    expect(events.some((e) => e['product_id'] === null)).toBe(true);
  });

  it.each(TOOL_EVENT_VARIANT_EXAMPLES.map((v) => [v.title, v] as const))('tool variant %s parses', (_title, variant) => {
    const parsed = ToolEventSchema.safeParse(variant.event);
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('the tool variants show the seed-001 defaults and an unrecognised status', () => {
    const parsed = TOOL_EVENT_VARIANT_EXAMPLES.map((v) => ToolEventSchema.parse(v.event));
    expect(parsed[0]).toMatchObject({ duration_ms: 0, in_size: 0, out_size: 0, input_hash: null });
    expect(parsed.some((e) => !isRecognisedToolStatus(e.status))).toBe(true);
  });
});
