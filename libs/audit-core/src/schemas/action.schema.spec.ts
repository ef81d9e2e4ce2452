import { z } from 'zod';
import { formatIssues } from './common.schema';
import { ActionCreateSchema, ActionSchema, ActionUpdateSchema, cronProblem, CronScheduleSchema } from './action.schema';

const PROJECT = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';

function rejection(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a rejection');
  return formatIssues(result.error);
}

describe('CronScheduleSchema', () => {
  it.each(['*/5 * * * *', '0 3 * * MON-FRI', '30 2 1 */2 *', '  0   0 * * 0 '])('accepts %j', (expression) => {
    expect(CronScheduleSchema.safeParse(expression).success).toBe(true);
  });

  it('normalises whitespace', () => {
    expect(CronScheduleSchema.parse('  0   0 * * 0 ')).toBe('0 0 * * 0');
  });

  it.each([
    ['4 fields', '* * * *', /exactly 5 fields .* found 4/],
    ['6 fields (seconds)', '0 */5 * * * *', /exactly 5 fields .* found 6/],
    ['a macro', '@daily', /exactly 5 fields .* found 1/],
    ['minute out of range', '61 * * * *', /expected range 0-59/],
    ['hour out of range', '0 24 * * *', /expected range 0-23/],
    ['month out of range', '0 0 1 13 *', /expected range 1-12/],
    ['garbage', 'every day at noon x', /Invalid characters|Validation error|cron/],
  ])('rejects %s, naming the schedule field', (_label, expression, reason) => {
    const result = ActionCreateSchema.safeParse({ project_id: PROJECT, name: 'n', action_type: 'http', schedule: expression });
    expect(result.success).toBe(false);
    const messages = formatIssues(result.error!);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^schedule: not a valid 5-field cron expression in UTC: /);
    expect(messages[0]).toMatch(reason);
  });

  it('cronProblem is null for a valid expression', () => {
    expect(cronProblem('0 0 * * *')).toBeNull();
    expect(cronProblem('0 0 * *')).toMatch(/exactly 5 fields/);
  });
});

describe('ActionCreateSchema', () => {
  it('accepts a valid action and applies defaults', () => {
    const parsed = ActionCreateSchema.parse({
      project_id: PROJECT,
      name: ' homepage up ',
      action_type: 'http',
      schedule: '*/5 * * * *',
      config: { url: 'https://example.com', expect_status: 200 },
    });
    expect(parsed).toEqual({
      project_id: PROJECT,
      name: 'homepage up',
      action_type: 'http',
      schedule: '*/5 * * * *',
      config: { url: 'https://example.com', expect_status: 200 },
      description: '',
      status: 'active',
      timeout_ms: 30_000,
    });
  });

  it('rejects a bad action type, timeout out of range, unknown status and an unknown key, each by name', () => {
    const messages = rejection(ActionCreateSchema, {
      project_id: PROJECT,
      name: 'x',
      action_type: 'TLS-Cert',
      schedule: '0 * * * *',
      status: 'running',
      timeout_ms: 50,
      owner: 'bob',
    });
    expect(messages.sort()).toEqual([
      'action_type: must be an action type id: lowercase snake_case, 2–63 characters, starting with a letter',
      'status: must be one of active, paused',
      'timeout_ms: must be an integer between 100 and 600000 (ms)',
      expect.stringMatching(/^unknown field\(s\) "owner" in an action; allowed: project_id, name/),
    ]);
    expect(rejection(ActionCreateSchema, { project_id: PROJECT, name: 'x', action_type: 'http', schedule: '0 * * * *', timeout_ms: 600_001 })).toEqual([
      'timeout_ms: must be an integer between 100 and 600000 (ms)',
    ]);
  });

  it('requires config to be an object', () => {
    expect(rejection(ActionCreateSchema, { project_id: PROJECT, name: 'x', action_type: 'http', schedule: '0 * * * *', config: [1] })).toEqual([
      expect.stringMatching(/^config: must be a JSON object/),
    ]);
  });
});

describe('ActionUpdateSchema', () => {
  it('accepts a partial update without applying defaults', () => {
    expect(ActionUpdateSchema.parse({ status: 'paused' })).toEqual({ status: 'paused' });
  });

  it('rejects an empty update and a project change', () => {
    expect(ActionUpdateSchema.safeParse({}).success).toBe(false);
    const result = ActionUpdateSchema.safeParse({ project_id: PROJECT });
    expect(formatIssues(result.error!)[0]).toMatch(/^unknown field\(s\) "project_id" in an action update/);
  });
});

describe('ActionSchema', () => {
  it('accepts a stored row', () => {
    const parsed = ActionSchema.parse({
      id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c',
      project_id: PROJECT,
      name: 'mx',
      action_type: 'dns_mx',
      schedule: '0 * * * *',
      config: { domain: 'example.com' },
      description: 'MX records present',
      status: 'paused',
      timeout_ms: 10_000,
      created_at: new Date('2026-11-01T00:00:00Z'),
      updated_at: '2026-11-02T00:00:00Z',
    });
    expect(parsed.updated_at).toEqual(new Date('2026-11-02T00:00:00Z'));
  });
});
