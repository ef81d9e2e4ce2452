import { DashboardEnvError, parseDashboardEnv } from './dashboard-env.schema';

describe('parseDashboardEnv', () => {
  it('defaults to the ports of ARCHITECTURE §7 and returns a frozen object', () => {
    const env = parseDashboardEnv({});
    expect(env).toEqual({ ENGINE_URL: 'http://127.0.0.1:8200', GATEWAY_URL: 'http://127.0.0.1:8080', HEALTH_TIMEOUT_MS: 1500 });
    expect(Object.isFrozen(env)).toBe(true);
  });

  it('treats empty values as unset and drops trailing slashes', () => {
    const env = parseDashboardEnv({ ENGINE_URL: '', GATEWAY_URL: 'http://gw.internal:9000/', HEALTH_TIMEOUT_MS: '800' });
    expect(env).toEqual({ ENGINE_URL: 'http://127.0.0.1:8200', GATEWAY_URL: 'http://gw.internal:9000', HEALTH_TIMEOUT_MS: 800 });
  });

  it('names every bad key and never prints a value', () => {
    const secret = 'ftp://user:s3cret@host';
    let thrown: unknown;
    try {
      parseDashboardEnv({ ENGINE_URL: secret, HEALTH_TIMEOUT_MS: 'soon' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DashboardEnvError);
    const error = thrown as DashboardEnvError;
    expect(error.keys).toEqual(['ENGINE_URL', 'HEALTH_TIMEOUT_MS']);
    expect(error.message).toContain('ENGINE_URL: must be an http(s) URL');
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('soon');
  });
});
