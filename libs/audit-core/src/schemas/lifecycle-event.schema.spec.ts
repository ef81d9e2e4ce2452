import { formatIssues } from './common.schema';
import {
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EVENT_SCHEMAS,
  LIFECYCLE_SUBJECT_RULES,
  LifecycleEventSchema,
  type LifecycleAction,
  type LifecycleEventInput,
  type LifecycleEventOf,
} from './lifecycle-event.schema';

const HEX = 'b'.repeat(64);
const base = { ts: '2026-11-22T10:00:00Z', actor: 'system', product_id: 'acme-chat', user_id: 'u_42', engine_id: 'eng-7f3a' };

/** One valid event per action: what an orchestrator would send. */
const VALID: Record<LifecycleAction, Record<string, unknown>> = {
  provision: {
    ...base,
    actor: 'acme-chat',
    metadata: { image: 'registry.example/engine:1.4.2', region: 'eu-west-1', size: 'small', policy_id: 'pol-default', policy_version: 3 },
    duration_ms: 8421,
  },
  start: { ...base, metadata: { reason: 'user', boot_ms: 2300 } },
  stop: { ...base, metadata: { reason: 'idle', idle_seconds: 1800 } },
  wake: { ...base, metadata: { trigger: 'request', slept_seconds: 3600 } },
  destroy: { ...base, actor: 'admin', metadata: { reason: 'user_deleted', data_retained: false } },
  rotate_key: { ...base, metadata: { key_id: 'key-2026-11', previous_key_id: 'key-2026-10', reason: 'scheduled' } },
  health_check: { ...base, metadata: { check: 'http', latency_ms: 12 } },
  health_failed: { ...base, metadata: { check: 'http', reason: 'HTTP 503 from /healthz', consecutive_failures: 3 } },
  auto_restart_start: { ...base, metadata: { attempt: 1, max_attempts: 3, trigger: 'health_failed' } },
  auto_restart_success: { ...base, metadata: { attempt: 1, downtime_ms: 4200 }, duration_ms: 4200 },
  auto_restart_failed: { ...base, metadata: { attempt: 2, error_code: 'OOM_KILLED', error: 'container exited 137' } },
  auto_restart_gave_up: { ...base, metadata: { attempts: 3, last_error_code: 'OOM_KILLED' } },
  policy_register: {
    ts: base.ts,
    actor: 'admin',
    product_id: null,
    metadata: { policy_id: 'pol-default', version: 1, name: 'Default admission', policy_hash: HEX },
  },
  policy_update: { ts: base.ts, actor: 'acme-chat', product_id: 'acme-chat', metadata: { policy_id: 'pol-default', version: 2, previous_version: 1 } },
  admit_denied: { ...base, engine_id: null, metadata: { reason: 'user over concurrent-engine quota', policy_id: 'pol-default', rule: 'max_engines_per_user' } },
  provision_denied: {
    ts: base.ts,
    actor: 'system',
    product_id: 'acme-chat',
    user_id: 'u_42',
    metadata: { reason: 'region at capacity', region: 'eu-west-1', policy_id: 'pol-capacity' },
  },
};

function rejection(input: unknown): string[] {
  const result = LifecycleEventSchema.safeParse(input);
  if (result.success) throw new Error('expected a rejection');
  return formatIssues(result.error);
}

function event(action: LifecycleAction, patch: Record<string, unknown> = {}): LifecycleEventInput {
  return { ...VALID[action], action, ...patch } as LifecycleEventInput;
}

describe('LifecycleEventSchema', () => {
  it('poison timestamps are refused naming ts, for every action (one event time range everywhere)', () => {
    for (const action of LIFECYCLE_ACTIONS) {
      for (const ts of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59-05:00']) {
        const r = LifecycleEventSchema.safeParse({ ...VALID[action], action, ts });
        expect([action, ts, r.success ? [] : formatIssues(r.error)]).toEqual([
          action,
          ts,
          [expect.stringMatching(/^ts: must be between 1970-01-01T00:00:00Z and now/)],
        ]);
      }
    }
  });

  it('covers exactly the 16 actions', () => {
    expect(LIFECYCLE_ACTIONS).toHaveLength(16);
    expect(Object.keys(VALID).sort()).toEqual([...LIFECYCLE_ACTIONS].sort());
    expect(Object.keys(LIFECYCLE_EVENT_SCHEMAS).sort()).toEqual([...LIFECYCLE_ACTIONS].sort());
  });

  it.each(LIFECYCLE_ACTIONS)('accepts a valid %s event', (action) => {
    const parsed = LifecycleEventSchema.parse(event(action));
    expect(parsed.action).toBe(action);
    expect(parsed.ts).toEqual(new Date('2026-11-22T10:00:00Z'));
  });

  it('fills absent nullable ids and duration_ms with null, keeps event_id optional', () => {
    const parsed = LifecycleEventSchema.parse(event('policy_register'));
    expect(parsed).toMatchObject({ product_id: null, user_id: null, engine_id: null, duration_ms: null });
    expect(parsed.event_id).toBeUndefined();
    const withId = LifecycleEventSchema.parse(event('start', { event_id: '0190A5B2-7C3D-7E4F-8A1B-2C3D4E5F6A7B' }));
    expect(withId.event_id).toBe('0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b');
  });

  it('infers per-action types from the subject rules and metadata schemas', () => {
    const parsed = LifecycleEventSchema.parse(event('provision'));
    if (parsed.action !== 'provision') throw new Error('narrowing failed');
    const provision: LifecycleEventOf<'provision'> = parsed;
    const image: string = provision.metadata.image;
    const product: string = provision.product_id;
    const user: string | null = provision.user_id;
    expect([image, product, user]).toEqual(['registry.example/engine:1.4.2', 'acme-chat', 'u_42']);
    const policy = LifecycleEventSchema.parse(event('policy_register')) as LifecycleEventOf<'policy_register'>;
    const engine: null = policy.engine_id;
    expect(engine).toBeNull();
  });

  it('stores an offset timestamp as the UTC instant', () => {
    const parsed = LifecycleEventSchema.parse(event('start', { ts: '2026-11-22T10:00:00+02:00' }));
    expect(parsed.ts.toISOString()).toBe('2026-11-22T08:00:00.000Z');
  });

  it('rejects an unknown action, listing the known ones', () => {
    const [message, ...rest] = rejection(event('start', { action: 'explode' }));
    expect(rest).toEqual([]);
    expect(message).toMatch(/^action: unknown lifecycle action "explode"; expected one of provision, start, .*provision_denied$/);
  });

  it('rejects a missing action', () => {
    const { action: _omitted, ...noAction } = event('start') as Record<string, unknown>;
    expect(rejection(noAction)[0]).toMatch(/^action: required; one of provision/);
  });

  it('does not echo an unknown action that is not a plain word', () => {
    const message = rejection(event('start', { action: 'DROP TABLE lifecycle_events; --' })).join();
    expect(message).toMatch(/^action: unknown lifecycle action; expected one of/);
    expect(message).not.toContain('DROP');
  });

  it('rejects admit_denied metadata of the wrong shape, naming metadata.<field>', () => {
    const messages = rejection(event('admit_denied', { metadata: { reason: 42, rule: 'r1', quota: 5 } }));
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^metadata\.reason: must be 1–500 characters/),
        'metadata.policy_id: required',
        expect.stringMatching(/^metadata: unknown field\(s\) "quota" in admit_denied metadata; allowed: reason, policy_id, rule, policy_version$/),
      ]),
    );
    expect(messages).toHaveLength(3);
  });

  it('rejects metadata that is not an object', () => {
    expect(rejection(event('health_failed', { metadata: 'down' }))).toEqual(['metadata: health_failed metadata must be a JSON object, received string']);
  });

  it('reports every missing required metadata field when metadata is absent', () => {
    const { metadata: _omitted, ...noMetadata } = event('health_failed') as Record<string, unknown>;
    expect(rejection(noMetadata).sort()).toEqual(['metadata.check: required', 'metadata.consecutive_failures: required', 'metadata.reason: required']);
  });

  it('rejects unknown top-level keys', () => {
    const [message] = rejection(event('start', { payload: { secret: 1 } }));
    expect(message).toMatch(/^unknown field\(s\) "payload" in a lifecycle event/);
  });

  it('applies the per-action subject-id rules', () => {
    expect(LIFECYCLE_SUBJECT_RULES.policy_register.engine_id).toBe('null');
    expect(rejection(event('policy_register', { engine_id: 'eng-1' }))).toEqual(['engine_id: must be null or absent for policy_register events']);
    expect(rejection(event('start', { engine_id: null }))).toEqual([expect.stringMatching(/^engine_id: must be an identifier .*required for start events/)]);
    expect(rejection(event('provision', { product_id: undefined }))).toEqual(['product_id: required for provision events']);
    expect(LifecycleEventSchema.parse(event('provision_denied')).engine_id).toBeNull();
  });

  it('rejects a bad actor, a negative duration and an unparsable timestamp, each by name', () => {
    expect(rejection(event('stop', { actor: 'Not A Slug' }))[0]).toMatch(/^actor: must be 'system', 'admin' or a product slug/);
    expect(rejection(event('stop', { duration_ms: -1 }))).toEqual(['duration_ms: must be a non-negative integer ≤ 2147483647']);
    expect(rejection(event('stop', { ts: 'last tuesday' }))[0]).toMatch(/^ts: must be an ISO-8601 date-time/);
    expect(rejection(event('stop', { ts: '2026-11-22T10:00:00' }))[0]).toMatch(/^ts: .*time zone/);
  });

  it('refuses an e-mail address as user_id (ids are pseudonymous)', () => {
    expect(rejection(event('start', { user_id: 'jane@example.com' }))[0]).toMatch(/^user_id: must be an identifier/);
  });
});
