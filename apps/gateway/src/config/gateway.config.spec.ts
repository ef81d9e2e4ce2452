import { DEFAULT_RATE_LIMIT_PER_MINUTE, loadGatewayConfig, rateLimitPerMinute } from './gateway.config';

const base = { DATABASE_URL: 'postgres://auditstack@127.0.0.1:5432/auditstack' };

describe('gateway HTTP protection settings', () => {
  it('the per-token rate limit is off by default on a loopback address (embedded) and on for a gateway that serves a network', () => {
    expect(rateLimitPerMinute(loadGatewayConfig(base))).toBe(0);
    expect(rateLimitPerMinute(loadGatewayConfig({ ...base, HOST: 'localhost' }))).toBe(0);
    expect(rateLimitPerMinute(loadGatewayConfig({ ...base, HOST: '::1' }))).toBe(0);
    expect(rateLimitPerMinute(loadGatewayConfig({ ...base, HOST: '0.0.0.0' }))).toBe(DEFAULT_RATE_LIMIT_PER_MINUTE);
    expect(rateLimitPerMinute(loadGatewayConfig({ ...base, HOST: '10.0.0.7' }))).toBe(DEFAULT_RATE_LIMIT_PER_MINUTE);
  });

  it('RATE_LIMIT_PER_MINUTE wins when set, 0 turning the limit off anywhere', () => {
    expect(rateLimitPerMinute(loadGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: '120' }))).toBe(120);
    expect(rateLimitPerMinute(loadGatewayConfig({ ...base, HOST: '0.0.0.0', RATE_LIMIT_PER_MINUTE: '0' }))).toBe(0);
  });

  it('load shedding defaults to 1000 ms of event-loop delay; 0 turns it off', () => {
    expect(loadGatewayConfig(base).SHED_EVENT_LOOP_DELAY_MS).toBe(1000);
    expect(loadGatewayConfig({ ...base, SHED_EVENT_LOOP_DELAY_MS: '0' }).SHED_EVENT_LOOP_DELAY_MS).toBe(0);
  });

  it('a bad value stops boot naming the key, never the value', () => {
    expect(() => loadGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: 'lots', SHED_EVENT_LOOP_DELAY_MS: '-5' })).toThrow(
      /RATE_LIMIT_PER_MINUTE[\s\S]*SHED_EVENT_LOOP_DELAY_MS|SHED_EVENT_LOOP_DELAY_MS[\s\S]*RATE_LIMIT_PER_MINUTE/,
    );
    expect(() => loadGatewayConfig({ ...base, RATE_LIMIT_PER_MINUTE: 'lots' })).not.toThrow(/lots/);
  });
});
