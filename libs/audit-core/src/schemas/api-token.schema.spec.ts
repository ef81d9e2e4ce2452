import { formatIssues } from './common.schema';
import { ApiTokenCreateSchema, ApiTokenSchema } from './api-token.schema';

describe('ApiTokenCreateSchema', () => {
  it('accepts a scoped token request, dropping duplicate entitlements', () => {
    expect(ApiTokenCreateSchema.parse({ name: 'ci-bot', entitlements: ['events.write', 'events.read', 'events.write'], workspace_id: 'ws-acme' })).toEqual({
      name: 'ci-bot',
      entitlements: ['events.write', 'events.read'],
      workspace_id: 'ws-acme',
    });
  });

  it('rejects an empty list and an unknown entitlement, naming them', () => {
    expect(formatIssues(ApiTokenCreateSchema.safeParse({ name: 'x', entitlements: [] }).error!)).toEqual([
      expect.stringMatching(/^entitlements: must list at least one entitlement \(events\.write/),
    ]);
    expect(formatIssues(ApiTokenCreateSchema.safeParse({ name: 'x', entitlements: ['events.read', 'events.delete'] }).error!)).toEqual([
      expect.stringMatching(/^entitlements\[1\]: must be one of events\.write, events\.read/),
    ]);
  });

  it('rejects a name with spaces', () => {
    expect(formatIssues(ApiTokenCreateSchema.safeParse({ name: 'my token', entitlements: ['admin'] }).error!)[0]).toMatch(/^name: must be a token name/);
  });
});

describe('ApiTokenSchema', () => {
  const TOKEN = {
    id: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b',
    name: 'orchestrator.prod',
    principal: 'orchestrator',
    entitlements: ['events.write'],
    workspace_id: null,
    created_at: '2026-11-22T10:00:00Z',
    last_used_at: null,
    revoked_at: null,
  };

  it('accepts a listed token', () => {
    expect(ApiTokenSchema.parse(TOKEN).created_at).toEqual(new Date('2026-11-22T10:00:00Z'));
  });

  it('refuses a shape that carries the secret or its hash', () => {
    for (const key of ['token', 'secret', 'token_hash']) {
      const messages = formatIssues(ApiTokenSchema.safeParse({ ...TOKEN, [key]: 'ast_s3cr3t' }).error!);
      expect(messages).toEqual([expect.stringMatching(new RegExp(`^unknown field\\(s\\) "${key}" in an API token`))]);
      expect(messages.join()).not.toContain('ast_s3cr3t');
    }
  });
});
