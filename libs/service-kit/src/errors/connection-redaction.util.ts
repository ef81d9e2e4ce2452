import { PROBLEM_TYPE_BASE } from '@auditstack/audit-core';

/** What replaces a connection detail in a public error message. */
export const REDACTED = '[redacted]';

const PATTERNS: readonly RegExp[] = [
  // Any URL with a scheme (postgres://user:pass@host:port/db, redis://…, http://internal…).
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi,
  // Bracketed IPv6 with an optional port ([::1]:5432).
  /\[[0-9a-f:.]+\](?::\d{1,5})?/gi,
  // IPv4 with an optional port (127.0.0.1:5432).
  /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g,
  // host:port with a dotted host name or localhost (db.internal:5432, localhost:6379).
  /\b(?:localhost|(?:[a-z0-9-]+\.)+[a-z][a-z0-9-]*):\d{1,5}\b/gi,
  // pg's unix socket paths (/var/run/postgresql/.s.PGSQL.5432).
  /\/[^\s"']*\.s\.PGSQL\.\d+/g,
];

/**
 * `message` with connection details (URLs, addresses, host:port pairs, socket
 * paths) replaced by `[redacted]`: a driver error such as
 * `connect ECONNREFUSED 10.0.0.5:5432` can surface in a 5xx body, and the
 * network layout of the deployment is nobody's business. Errors that go to
 * the logs keep the details.
 */
export function redactConnectionDetails(message: string): string {
  // A problem's own `type` URI is public vocabulary, not a connection detail.
  return PATTERNS.reduce((text, pattern) => text.replace(pattern, (match) => (match.startsWith(PROBLEM_TYPE_BASE) ? match : REDACTED)), message);
}
