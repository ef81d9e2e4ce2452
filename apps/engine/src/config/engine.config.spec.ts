import { DEFAULT_SERVICE_RATE_LIMIT_PER_MINUTE, loadEngineConfig, rateLimitPerMinuteOf } from './engine.config';

describe('engine HTTP protection settings', () => {
  const base = { DATABASE_URL: 'postgres://auditstack@127.0.0.1:5432/auditstack', AUDITSTACK_HOME: '/tmp/auditstack-config-spec' };

  it('embedded mode (no REDIS_URL, as under `auditstack up`): no rate limit unless asked for', () => {
    expect(rateLimitPerMinuteOf(loadEngineConfig(base))).toBe(0);
    expect(rateLimitPerMinuteOf(loadEngineConfig({ ...base, RATE_LIMIT_PER_MINUTE: '30' }))).toBe(30);
  });

  it('service mode (REDIS_URL set): the default limit, or the setting; 0 turns it off', () => {
    const service = { ...base, REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(rateLimitPerMinuteOf(loadEngineConfig(service))).toBe(DEFAULT_SERVICE_RATE_LIMIT_PER_MINUTE);
    expect(rateLimitPerMinuteOf(loadEngineConfig({ ...service, RATE_LIMIT_PER_MINUTE: '0' }))).toBe(0);
  });

  it('sheds at 1000 ms of event-loop delay by default; 0 turns shedding off', () => {
    expect(loadEngineConfig(base).SHED_EVENT_LOOP_DELAY_MS).toBe(1000);
    expect(loadEngineConfig({ ...base, SHED_EVENT_LOOP_DELAY_MS: '0' }).SHED_EVENT_LOOP_DELAY_MS).toBe(0);
  });

  it('refuses a negative or non-integer setting, naming the key', () => {
    expect(() => loadEngineConfig({ ...base, RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadEngineConfig({ ...base, SHED_EVENT_LOOP_DELAY_MS: '1.5' })).toThrow(/SHED_EVENT_LOOP_DELAY_MS/);
  });
});
