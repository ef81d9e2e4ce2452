import { redactConnectionDetails } from './connection-redaction.util';

describe('redactConnectionDetails', () => {
  it.each([
    ['PostgreSQL is unavailable: connect ECONNREFUSED 127.0.0.1:5432', 'PostgreSQL is unavailable: connect ECONNREFUSED [redacted]'],
    ['getaddrinfo ENOTFOUND db.internal.example:5432', 'getaddrinfo ENOTFOUND [redacted]'],
    ['bad url postgres://auditstack:s3cret@db:5432/audit', 'bad url [redacted]'],
    ['connect ECONNREFUSED [::1]:6379', 'connect ECONNREFUSED [redacted]'],
    ['Redis at localhost:6379 is down', 'Redis at [redacted] is down'],
    ['no such file /var/run/postgresql/.s.PGSQL.5432', 'no such file [redacted]'],
  ])('hides the connection detail in %j', (input, expected) => {
    expect(redactConnectionDetails(input)).toBe(expected);
    expect(redactConnectionDetails(input)).not.toMatch(/5432|6379|s3cret/);
  });

  it("keeps a 5xx problem's type URI, still hiding the connection detail in its detail", () => {
    const body = JSON.stringify({ type: 'https://auditstack.dev/problems/storage-unavailable', status: 503, detail: 'connect ECONNREFUSED 10.0.0.5:5432' });
    expect(JSON.parse(redactConnectionDetails(body))).toEqual({
      type: 'https://auditstack.dev/problems/storage-unavailable',
      status: 503,
      detail: 'connect ECONNREFUSED [redacted]',
    });
  });

  it('keeps messages without connection details as they are', () => {
    const plain = 'tokens cannot be checked right now (the database is unreachable); retry in 5 s, version 1.2.3';
    expect(redactConnectionDetails(plain)).toBe(plain);
  });
});
