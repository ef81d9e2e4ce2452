import { formatIssues } from './common.schema';
import {
  LIFECYCLE_ACTIONS,
  LIFECYCLE_EVENT_SCHEMAS,
  LIFECYCLE_METADATA_SCHEMAS,
  LIFECYCLE_SUBJECT_RULES,
  lifecycleEventSchema,
  LifecycleEventSchema,
  STRICT_LIFECYCLE_EVENT_SCHEMAS,
  StrictLifecycleEventSchema,
  UNKNOWN_METADATA_LIMITS,
  unknownMetadataKeys,
  unknownMetadataWarning,
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

function rejection(input: unknown, schema: typeof LifecycleEventSchema = LifecycleEventSchema): string[] {
  const result = schema.safeParse(input);
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
    const engine: string = provision.engine_id;
    const product: string | null = provision.product_id;
    const user: string | null = provision.user_id;
    const ts: Date = provision.ts;
    expect([image, engine, product, user, ts]).toEqual(['registry.example/engine:1.4.2', 'eng-7f3a', 'acme-chat', 'u_42', new Date(base.ts)]);
    const policy = LifecycleEventSchema.parse(event('policy_register')) as LifecycleEventOf<'policy_register'>;
    const policyEngine: string | null = policy.engine_id;
    expect(policyEngine).toBeNull();
    expect('timestamp' in policy).toBe(false);
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

  it('rejects admit_denied metadata of the wrong shape, naming metadata.<field> (known keys keep their rules in both modes)', () => {
    const input = event('admit_denied', { metadata: { reason: 42, rule: 'r1', quota: 5 } });
    expect(rejection(input).sort()).toEqual(['metadata.policy_id: required', expect.stringMatching(/^metadata\.reason: must be 1–500 characters/)]);
    const strict = rejection(input, StrictLifecycleEventSchema as unknown as typeof LifecycleEventSchema);
    expect(strict).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^metadata\.reason: must be 1–500 characters/),
        'metadata.policy_id: required',
        expect.stringMatching(/^metadata: unknown field\(s\) "quota" in admit_denied metadata; allowed: reason, policy_id, rule, policy_version$/),
      ]),
    );
    expect(strict).toHaveLength(3);
  });

  it('rejects metadata that is not an object', () => {
    expect(rejection(event('health_failed', { metadata: 'down' }))).toEqual(['metadata: health_failed metadata must be a JSON object, received string']);
  });

  it('reports every missing required metadata field when metadata is absent', () => {
    const { metadata: _omitted, ...noMetadata } = event('health_failed') as Record<string, unknown>;
    expect(rejection(noMetadata).sort()).toEqual(['metadata.check: required', 'metadata.consecutive_failures: required', 'metadata.reason: required']);
  });

  it('rejects unknown top-level keys; a payload-like one is answered as a payload', () => {
    expect(rejection(event('start', { colour: 'blue' }))).toEqual([
      expect.stringMatching(/^unknown field\(s\) "colour" in a lifecycle event .*; allowed: event_id, ts, timestamp, action/),
    ]);
    const [message, ...rest] = rejection(event('start', { payload: { secret: 1 }, Prompt: 'x', colour: 'blue' }));
    expect(rest).toEqual([]);
    expect(message).toMatch(/^payload fields are never stored: "payload", "Prompt"; unknown field\(s\) "colour" in a lifecycle event/);
    expect(rejection(event('start', { payload: 'x' }), StrictLifecycleEventSchema as unknown as typeof LifecycleEventSchema)[0]).toMatch(
      /^payload fields are never stored: "payload"$/,
    );
  });

  it('applies the per-action subject-id rules (seed 002: engine_id required on engine transitions, the rest nullable)', () => {
    for (const action of LIFECYCLE_ACTIONS) {
      const rules = LIFECYCLE_SUBJECT_RULES[action];
      const engineTransition = !['policy_register', 'policy_update', 'admit_denied', 'provision_denied'].includes(action);
      expect([action, rules]).toEqual([action, { product_id: 'nullable', user_id: 'nullable', engine_id: engineTransition ? 'required' : 'nullable' }]);
      const parsed = LifecycleEventSchema.parse(event(action, { product_id: null, user_id: null, ...(engineTransition ? {} : { engine_id: null }) }));
      expect(parsed).toMatchObject({ product_id: null, user_id: null });
    }
    expect(rejection(event('start', { engine_id: null }))).toEqual([expect.stringMatching(/^engine_id: must be an identifier .*required for start events/)]);
    expect(rejection(event('provision', { engine_id: undefined }))).toEqual(['engine_id: required for provision events']);
    expect(LifecycleEventSchema.parse(event('provision', { product_id: undefined })).product_id).toBeNull();
    expect(LifecycleEventSchema.parse(event('policy_register', { engine_id: 'eng-1' })).engine_id).toBe('eng-1');
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

  describe('seed 002 rows (the orchestrator audit_log as it writes them)', () => {
    it.each([
      [
        'policy_register: timestamp, no actor, product_id null, PostgreSQL text time',
        {
          timestamp: '2026-12-01 23:00:00+00',
          action: 'policy_register',
          product_id: null,
          user_id: null,
          engine_id: null,
          metadata: { policy_id: 'pol-default', version: 1 },
          duration_ms: null,
        },
      ],
      [
        'policy_update: microseconds and a +00:00 offset',
        {
          timestamp: '2026-12-01 23:00:00.123456+00:00',
          action: 'policy_update',
          actor: 'admin',
          product_id: null,
          metadata: { policy_id: 'pol-default', version: 2 },
        },
      ],
      [
        'provision: product not yet allocated, tier and port added by a newer orchestrator',
        {
          timestamp: '2026-12-01T23:00:00.5+00',
          action: 'provision',
          product_id: 'acme-chat',
          user_id: null,
          engine_id: 'eng-1',
          metadata: { image: 'registry.example/engine:1.5.0', tier: 'gold', port: 8443 },
          duration_ms: 5230,
        },
      ],
      [
        'admit_denied: nothing resolved yet',
        {
          timestamp: '2026-12-01 23:00:01+00',
          action: 'admit_denied',
          actor: 'acme-chat',
          product_id: null,
          user_id: null,
          engine_id: null,
          metadata: { reason: 'policy denies', policy_id: 'pol-default' },
        },
      ],
    ])('accepts %s', (_label, row) => {
      const parsed = LifecycleEventSchema.parse(row);
      expect(parsed.ts.toISOString()).toBe(
        new Date(
          String(row.timestamp)
            .replace(' ', 'T')
            .replace(/\+00(:00)?$/, 'Z'),
        ).toISOString(),
      );
      expect(parsed.actor).toBe('actor' in row ? row.actor : 'system');
      expect('timestamp' in parsed).toBe(false);
      expect(parsed.metadata).toEqual(row.metadata);
    });

    it('ts and timestamp: either is enough; both only for the same instant; neither is refused', () => {
      const { ts, ...noTs } = event('stop') as Record<string, unknown>;
      expect(LifecycleEventSchema.parse({ ...noTs, timestamp: ts }).ts).toEqual(new Date(String(ts)));
      expect(LifecycleEventSchema.parse({ ...noTs, ts: '2026-11-22 10:00:00+00', timestamp: '2026-11-22T12:00:00+02:00' }).ts).toEqual(new Date(String(ts)));
      expect(rejection({ ...noTs, ts, timestamp: '2026-11-22T10:00:01Z' })).toEqual([
        'timestamp: a different instant than ts; timestamp is an alias of ts: send one of them, or both with the same instant',
      ]);
      expect(rejection(noTs)).toEqual(['ts: required (or its alias timestamp)']);
      expect(rejection({ ...noTs, timestamp: 'yesterday' })[0]).toMatch(/^timestamp: must be an ISO-8601 date-time/);
      expect(rejection({ ...noTs, timestamp: '9999-01-01 00:00:00+00' })[0]).toMatch(/^timestamp: must be between 1970-01-01T00:00:00Z and now/);
    });

    it('actor absent means system; a given actor keeps its rule', () => {
      const { actor: _a, ...noActor } = event('stop') as Record<string, unknown>;
      expect(LifecycleEventSchema.parse(noActor).actor).toBe('system');
      expect(rejection(event('stop', { actor: 'Not A Slug' }))[0]).toMatch(/^actor: must be 'system', 'admin' or a product slug/);
    });
  });

  describe('unknown metadata keys (schema evolution without loss)', () => {
    const withExtra = (extra: Record<string, unknown>): LifecycleEventInput =>
      event('provision', { metadata: { ...(VALID.provision['metadata'] as object), ...extra } });

    it('tolerant mode (the default) keeps them with their values, next to the validated known keys', () => {
      const parsed = LifecycleEventSchema.parse(withExtra({ tier: 'gold', port: 8443, labels: { team: 'ml', zones: ['a', 'b'] } }));
      expect(parsed.metadata).toMatchObject({ image: 'registry.example/engine:1.4.2', tier: 'gold', port: 8443, labels: { team: 'ml', zones: ['a', 'b'] } });
      expect(lifecycleEventSchema('tolerant')).toBe(LifecycleEventSchema);
      expect(LIFECYCLE_EVENT_SCHEMAS.provision.safeParse(withExtra({ tier: 'gold' })).success).toBe(true);
    });

    it('strict mode refuses them, naming them (as before schema evolution)', () => {
      const strict = lifecycleEventSchema('strict');
      expect(strict).toBe(StrictLifecycleEventSchema);
      expect(rejection(withExtra({ tier: 'gold', port: 1 }), strict)).toEqual([
        expect.stringMatching(/^metadata: unknown field\(s\) "tier", "port" in provision metadata; allowed: image, region/),
      ]);
      expect(STRICT_LIFECYCLE_EVENT_SCHEMAS.provision.safeParse(withExtra({ tier: 'gold' })).success).toBe(false);
      expect(strict.parse(event('provision')).metadata).toEqual(VALID.provision['metadata']);
    });

    it('known keys keep their rules next to unknown ones', () => {
      expect(rejection(withExtra({ image: 'not an image ref', tier: 'gold' }))).toEqual([
        expect.stringMatching(/^metadata\.image: must be an image reference/),
      ]);
    });

    it('payload-like keys stay refused, at the top of metadata and at any depth, case-insensitively', () => {
      expect(rejection(withExtra({ prompt: 'tell me a secret' }))).toEqual([expect.stringMatching(/^metadata\.prompt: payload fields are never stored/)]);
      expect(rejection(withExtra({ extra: { a: { Body: 'x' } } }))).toEqual([
        expect.stringMatching(/^metadata\.extra\.a\.Body: payload fields are never stored/),
      ]);
      expect(rejection(withExtra({ list: [{ input: 'x' }] }))).toEqual([expect.stringMatching(/^metadata\.list\[0\]\.input: payload fields are never stored/)]);
      expect(rejection(withExtra({ output: 1 })).join()).not.toContain('tell me');
    });

    it('bounds them: key count, depth, string length, serialized size, key names, control characters', () => {
      const L = UNKNOWN_METADATA_LIMITS;
      const many = Object.fromEntries(Array.from({ length: L.maxKeys }, (_, i) => [`k${i}`, i]));
      expect(LifecycleEventSchema.safeParse(withExtra(many)).success).toBe(true);
      expect(rejection(withExtra({ ...many, one_more: 1 }))).toEqual([`metadata: at most ${L.maxKeys} unknown keys are kept, got ${L.maxKeys + 1}`]);
      expect(LifecycleEventSchema.safeParse(withExtra({ a: { b: { c: { d: 1 } } } })).success).toBe(true);
      expect(rejection(withExtra({ a: { b: { c: { d: { e: 1 } } } } }))).toEqual([
        `metadata.a.b.c.d.e: unknown metadata is kept at most ${L.maxDepth} levels deep`,
      ]);
      expect(LifecycleEventSchema.safeParse(withExtra({ note: 'x'.repeat(L.maxStringLength) })).success).toBe(true);
      expect(rejection(withExtra({ note: 'x'.repeat(L.maxStringLength + 1) }))).toEqual([
        `metadata.note: strings in unknown metadata are at most ${L.maxStringLength} characters`,
      ]);
      const big = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`s${i}`, 'y'.repeat(1000)]));
      expect(rejection(withExtra(big))).toEqual([
        expect.stringMatching(new RegExp(`^metadata: unknown keys are kept up to ${L.maxSerializedBytes} bytes of JSON, got \\d+$`)),
      ]);
      expect(rejection(withExtra({ ['k'.repeat(L.maxKeyLength + 1)]: 1 }))[0]).toMatch(
        /^metadata\["k+…"\]: unknown metadata key names must be 1–128 characters/,
      );
      expect(rejection(withExtra({ note: 'a\u0000b' }))).toEqual(['metadata.note: strings in unknown metadata must not hold control characters']);
      expect(rejection(withExtra({ n: Number.POSITIVE_INFINITY }))).toEqual(['metadata.n: numbers in unknown metadata must be finite']);
      expect(rejection(withExtra({ nested: JSON.parse('{"__proto__": {"x": 1}}') as unknown }))).toEqual([
        'metadata.nested.__proto__: reserved key name, never kept',
      ]);
      expect(LifecycleEventSchema.parse(withExtra({ constructor: 'x', prototype: { toString: 1 } })).metadata).toMatchObject({
        constructor: 'x',
        prototype: { toString: 1 },
      });
    });

    it('unknownMetadataKeys names the kept keys of a stored row; unknownMetadataWarning words the flag', () => {
      expect(unknownMetadataKeys('provision', { image: 'i', tier: 'gold', port: 1 })).toEqual(['tier', 'port']);
      expect(unknownMetadataKeys('provision', { image: 'i' })).toEqual([]);
      expect(unknownMetadataKeys('explode', { tier: 1 })).toEqual([]);
      expect(unknownMetadataKeys('stop', null)).toEqual([]);
      expect(unknownMetadataKeys('stop', ['reason'])).toEqual([]);
      for (const action of LIFECYCLE_ACTIONS)
        expect(unknownMetadataKeys(action, Object.fromEntries(Object.keys(LIFECYCLE_METADATA_SCHEMAS[action].shape).map((k) => [k, 1])))).toEqual([]);
      expect(unknownMetadataWarning('tier')).toBe('metadata.tier: unknown key, kept');
      expect(unknownMetadataWarning('a b')).toBe('metadata["a b"]: unknown key, kept');
    });
  });
});
