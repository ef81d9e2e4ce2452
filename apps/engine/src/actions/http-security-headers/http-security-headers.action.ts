import { z } from 'zod';
import type { Check } from '@auditstack/audit-core';
import { outcomeFromChecks, type ActionContext, type ActionHandler, type ActionView, type RunOutcome } from '../action-handler.util';
import { ActionType } from '../action-type.decorator';

/** Persisted id of this type (`audit.actions.action_type`, job name): defined once, here. */
export const HTTP_SECURITY_HEADERS = 'http_security_headers';

export const HttpSecurityHeadersConfigSchema = z
  .object({
    /** Page to fetch (GET, redirects not followed: the headers of this response are judged). */
    url: z.url({ protocol: /^https?$/ }),
    /** Smallest acceptable HSTS max-age in seconds. @defaultValue 15552000 (180 days) */
    min_hsts_max_age: z.number().int().min(0).default(15_552_000),
  })
  .strict();
export type HttpSecurityHeadersConfig = z.infer<typeof HttpSecurityHeadersConfigSchema>;

/**
 * `http_security_headers`: the response headers browsers rely on to protect a
 * site's users. The worked example of docs/extending.md: one folder, one class.
 */
@ActionType({
  type: HTTP_SECURITY_HEADERS,
  config: HttpSecurityHeadersConfigSchema,
  description: 'A page sends HSTS, nosniff, a Content-Security-Policy, framing protection and a Referrer-Policy.',
})
export class HttpSecurityHeadersAction implements ActionHandler<HttpSecurityHeadersConfig> {
  async run(action: ActionView<HttpSecurityHeadersConfig>, ctx: ActionContext): Promise<RunOutcome> {
    const target = action.config.url;
    let response: Response;
    try {
      // The signal carries the action's timeout: the run never outlives it.
      response = await fetch(target, { redirect: 'manual', signal: ctx.signal });
      await response.body?.cancel();
    } catch (error) {
      const reason = ctx.signal.aborted ? 'timed out' : (error as Error).message;
      return outcomeFromChecks([check(target, 'headers.fetch', 'error', `could not fetch ${target}: ${reason}`, 'RFC 9110 §9.3.1', 'GET the page', {})]);
    }
    // Header values are attacker-controlled text: only compared, never interpreted further.
    const headers = Object.fromEntries(response.headers.entries());
    const evidence = { status: response.status, headers };
    return outcomeFromChecks(evaluateSecurityHeaders(target, response.headers, action.config.min_hsts_max_age, evidence), { status: response.status });
  }
}

/** The rules, pure, so they are tested without a network. */
export function evaluateSecurityHeaders(target: string, headers: Headers, minHstsMaxAge: number, evidence: Record<string, unknown>): Check[] {
  const checks: Check[] = [];
  const https = target.startsWith('https:');
  const hsts = headers.get('strict-transport-security');
  const maxAge = Number(/max-age\s*=\s*"?(\d+)"?/i.exec(hsts ?? '')?.[1] ?? NaN);
  checks.push(
    !https
      ? check(
          target,
          'headers.hsts',
          'warn',
          'HSTS only applies over HTTPS; this URL is plain HTTP',
          'RFC 6797 §7.2',
          'Strict-Transport-Security on HTTPS responses',
          evidence,
        )
      : hsts === null
        ? check(target, 'headers.hsts', 'fail', 'no Strict-Transport-Security header', 'RFC 6797 §6.1', 'Strict-Transport-Security present', evidence)
        : !(maxAge >= minHstsMaxAge)
          ? check(
              target,
              'headers.hsts',
              'fail',
              `HSTS max-age ${Number.isNaN(maxAge) ? 'missing' : maxAge} is below ${minHstsMaxAge}`,
              'RFC 6797 §6.1.1',
              `HSTS max-age ≥ ${minHstsMaxAge}`,
              evidence,
            )
          : check(target, 'headers.hsts', 'pass', `HSTS max-age ${maxAge}`, 'RFC 6797 §6.1.1', `HSTS max-age ≥ ${minHstsMaxAge}`, evidence),
  );
  const nosniff = headers.get('x-content-type-options')?.trim().toLowerCase() === 'nosniff';
  checks.push(
    check(
      target,
      'headers.nosniff',
      nosniff ? 'pass' : 'fail',
      nosniff ? 'X-Content-Type-Options: nosniff' : 'X-Content-Type-Options: nosniff is missing',
      'Fetch Standard §3.5',
      'X-Content-Type-Options: nosniff',
      evidence,
    ),
  );
  const csp = headers.get('content-security-policy');
  checks.push(
    check(
      target,
      'headers.csp',
      csp ? 'pass' : 'fail',
      csp ? 'Content-Security-Policy present' : 'no Content-Security-Policy header',
      'CSP Level 3 §3.1',
      'Content-Security-Policy present',
      evidence,
    ),
  );
  const framing = /frame-ancestors/i.test(csp ?? '') || /^(deny|sameorigin)$/i.test(headers.get('x-frame-options')?.trim() ?? '');
  checks.push(
    check(
      target,
      'headers.framing',
      framing ? 'pass' : 'fail',
      framing ? 'framing is restricted' : 'neither CSP frame-ancestors nor X-Frame-Options restricts framing',
      'RFC 7034 §2.1',
      'CSP frame-ancestors or X-Frame-Options DENY/SAMEORIGIN',
      evidence,
    ),
  );
  const referrer = headers.get('referrer-policy');
  const weak = referrer !== null && /^\s*unsafe-url\s*$/i.test(referrer);
  checks.push(
    check(
      target,
      'headers.referrer_policy',
      referrer && !weak ? 'pass' : 'warn',
      referrer
        ? weak
          ? 'Referrer-Policy: unsafe-url leaks full URLs'
          : `Referrer-Policy: ${referrer}`
        : 'no Referrer-Policy (browsers default to strict-origin-when-cross-origin)',
      'Referrer Policy §3',
      'a Referrer-Policy other than unsafe-url',
      evidence,
    ),
  );
  return checks;
}

function check(
  target: string,
  checkId: string,
  status: Check['status'],
  message: string,
  reference: string,
  description: string,
  evidence: Record<string, unknown>,
): Check {
  return { check_id: checkId, target, status, message, rule: { id: checkId, description, reference }, evidence };
}
