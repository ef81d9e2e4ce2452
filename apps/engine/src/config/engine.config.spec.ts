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

describe('engine DNS settings', () => {
  const base = { DATABASE_URL: 'postgres://auditstack@127.0.0.1:5432/auditstack', AUDITSTACK_HOME: '/tmp/auditstack-config-spec' };

  it('5000 ms per DNS query and a cache capped at 600 s by default; 0 turns the cache off', () => {
    const config = loadEngineConfig(base);
    expect(config.ENGINE_DNS_TIMEOUT_MS).toBe(5000);
    expect(config.ENGINE_DNS_CACHE_MAX_TTL_SECONDS).toBe(600);
    expect(loadEngineConfig({ ...base, ENGINE_DNS_CACHE_MAX_TTL_SECONDS: '0' }).ENGINE_DNS_CACHE_MAX_TTL_SECONDS).toBe(0);
  });

  it('refuses a bad timeout, cap or server list, naming the key and not the value', () => {
    expect(() => loadEngineConfig({ ...base, ENGINE_DNS_TIMEOUT_MS: '0' })).toThrow(/ENGINE_DNS_TIMEOUT_MS/);
    expect(() => loadEngineConfig({ ...base, ENGINE_DNS_CACHE_MAX_TTL_SECONDS: '-1' })).toThrow(/ENGINE_DNS_CACHE_MAX_TTL_SECONDS/);
    expect(() => loadEngineConfig({ ...base, ENGINE_DNS_SERVERS: '127.0.0.1:53,secret-resolver.internal' })).toThrow(/ENGINE_DNS_SERVERS/);
    expect(() => loadEngineConfig({ ...base, ENGINE_DNS_SERVERS: '127.0.0.1:53,secret-resolver.internal' })).not.toThrow(/secret-resolver/);
    expect(loadEngineConfig({ ...base, ENGINE_DNS_SERVERS: '127.0.0.1:5353, [::1]:53' }).ENGINE_DNS_SERVERS).toEqual(['127.0.0.1:5353', '[::1]:53']);
  });
});
