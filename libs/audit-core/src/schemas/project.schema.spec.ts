import { formatIssues } from './common.schema';
import { ProjectCreateSchema, ProjectSchema, ProjectUpdateSchema } from './project.schema';

describe('project schemas', () => {
  it('accepts a project creation with a trimmed name and default description', () => {
    expect(ProjectCreateSchema.parse({ name: '  ACME Web (prod) ' })).toEqual({ name: 'ACME Web (prod)', description: '' });
  });

  it('accepts a stored project', () => {
    const parsed = ProjectSchema.parse({
      id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
      name: 'acme-web',
      description: 'Public web properties',
      created_at: '2026-11-22T10:00:00Z',
      updated_at: '2026-11-22T11:00:00+01:00',
    });
    expect(parsed.updated_at.toISOString()).toBe('2026-11-22T10:00:00.000Z');
  });

  it('rejects an empty or over-long name, naming the field', () => {
    expect(formatIssues(ProjectCreateSchema.safeParse({ name: '   ' }).error!)).toEqual([expect.stringMatching(/^name: must be 1–200 characters/)]);
    expect(formatIssues(ProjectCreateSchema.safeParse({ name: 'x'.repeat(201) }).error!)[0]).toMatch(/^name: /);
    expect(formatIssues(ProjectCreateSchema.safeParse({ name: 'bad\u0000name' }).error!)[0]).toMatch(/^name: /);
  });

  it('rejects a bad id and an unknown key', () => {
    const messages = formatIssues(
      ProjectSchema.safeParse({ id: 'p1', name: 'a', description: '', created_at: '2026-11-22T10:00:00Z', updated_at: '2026-11-22T10:00:00Z', owner: 'x' })
        .error!,
    );
    expect(messages.sort()).toEqual(['id: must be a UUID (8-4-4-4-12 hex digits)', expect.stringMatching(/^unknown field\(s\) "owner" in a project/)]);
  });

  it('an update must change something', () => {
    expect(ProjectUpdateSchema.parse({ description: 'new' })).toEqual({ description: 'new' });
    expect(ProjectUpdateSchema.safeParse({}).success).toBe(false);
  });
});
