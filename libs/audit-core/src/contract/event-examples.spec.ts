import { LIFECYCLE_ACTIONS, LIFECYCLE_EVENT_SCHEMAS, LifecycleEventSchema } from '../schemas/lifecycle-event.schema';
import { ToolEventSchema } from '../schemas/tool-event.schema';
import { LIFECYCLE_EXAMPLES, TOOL_EVENT_EXAMPLE } from './event-examples';

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
