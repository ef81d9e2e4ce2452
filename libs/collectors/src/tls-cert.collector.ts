import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { z } from 'zod';
import type { Check, CheckRule, CheckStatus } from '@auditstack/audit-core';
import { abortReason, errorMessage, makeCheck, withTimeout } from './check.util';
import { isCollectorError } from './collector.error';
import type { CollectorContext } from './collector-context.util';
import { pinDestination } from './egress-policy.util';

/** Config of the `tls_cert` action type. */
export const TlsCertConfigSchema = z
  .object({
    /** Host to connect to (name or IP). */
    host: z.string().min(1).max(253),
    /** @defaultValue 443 */
    port: z.number().int().min(1).max(65_535).default(443),
    /** Name sent as SNI and checked against the certificate; defaults to `host` (no SNI for an IP). */
    servername: z.string().min(1).max(253).optional(),
    /** Warn when the certificate expires within this many days. @defaultValue 30 */
    warn_days: z.number().int().min(0).max(3650).default(30),
    /** Fail when the certificate expires within this many days. @defaultValue 7 */
    fail_days: z.number().int().min(0).max(3650).default(7),
    /** Lowest acceptable protocol version. @defaultValue 'TLSv1.2' */
    min_protocol: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    /** Extra CA certificate(s) (PEM) trusted instead of the system roots. */
    ca_pem: z.string().max(100_000).optional(),
    /** Handshake timeout in milliseconds. @defaultValue 10000 */
    timeout_ms: z.number().int().positive().max(600_000).default(10_000),
  })
  .strict();
/** Parsed {@link TlsCertConfigSchema}. */
export type TlsCertConfig = z.infer<typeof TlsCertConfigSchema>;

const RULES = {
  handshake: { id: 'tls.handshake', description: 'A TLS handshake completes.', reference: 'RFC 8446 §4' },
  chain: { id: 'tls.chain', description: 'The certificate chains to a trusted root and every certificate is valid now.', reference: 'RFC 5280 §6' },
  hostname: { id: 'tls.hostname', description: 'The certificate names the host (subjectAltName).', reference: 'RFC 9525 §6, RFC 5280 §4.2.1.6' },
  expiry: { id: 'tls.expiry', description: 'The certificate is inside its validity period and not about to expire.', reference: 'RFC 5280 §4.1.2.5' },
  protocol: { id: 'tls.protocol', description: 'The negotiated protocol is TLS 1.2 or later.', reference: 'RFC 8996 §1, RFC 9325 §3.1.1' },
} satisfies Record<string, CheckRule>;

const PROTOCOL_RANK: Record<string, number> = { SSLv3: 0, TLSv1: 1, 'TLSv1.1': 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };
const DAY_MS = 86_400_000;

/** A certificate summary for the evidence (the certificate is attacker-controlled: strings are capped). */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  subject_alt_names: string;
  valid_from: string;
  valid_to: string;
  serial_number: string;
  fingerprint_sha256: string;
  chain: string[];
}

function cap(text: string | undefined, max = 1000): string {
  const t = text ?? '';
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function summarise(cert: tls.DetailedPeerCertificate): CertificateSummary {
  const x509 = new X509Certificate(cert.raw);
  const chain: string[] = [];
  let current: tls.DetailedPeerCertificate | undefined = cert.issuerCertificate;
  // The chain is circular at the root (issuerCertificate === itself): bounded loop.
  for (let i = 0; i < 8 && current && current !== cert; i += 1) {
    chain.push(cap(new X509Certificate(current.raw).subject.replace(/\n/g, ', '), 300));
    if (current.issuerCertificate === current) break;
    current = current.issuerCertificate;
  }
  return {
    subject: cap(x509.subject.replace(/\n/g, ', ')),
    issuer: cap(x509.issuer.replace(/\n/g, ', ')),
    subject_alt_names: cap(x509.subjectAltName),
    valid_from: new Date(x509.validFrom).toISOString(),
    valid_to: new Date(x509.validTo).toISOString(),
    serial_number: cap(x509.serialNumber, 100),
    fingerprint_sha256: x509.fingerprint256,
    chain,
  };
}

/**
 * `tls_cert`: connects with TLS and audits the server certificate: chain
 * validity (as the platform's trust store sees it), host name match
 * (`tls.checkServerIdentity`), days until expiry against `warn_days` /
 * `fail_days` measured from the injected clock, and the negotiated protocol.
 * The handshake accepts any certificate and any protocol from TLS 1.0 so
 * that a bad one is reported rather than refused.
 */
export async function collectTlsCert(config: TlsCertConfig, ctx: CollectorContext): Promise<Check[]> {
  const target = `${config.host}:${config.port}`;
  const servername = config.servername ?? config.host;
  const check = (rule: CheckRule, status: CheckStatus, message: string, evidence: Record<string, unknown> = {}): Check =>
    makeCheck(rule.id, target, status, message, rule, evidence);
  const signal = withTimeout(ctx.signal, config.timeout_ms);
  // Resolve once, check every address against the egress policy, connect to the checked one (SNI keeps the name).
  let address: string;
  try {
    address = await pinDestination(config.host, ctx.egress, signal);
  } catch (err) {
    const denied = isCollectorError(err, 'EGRESS_DENIED');
    return [
      check(RULES.handshake, 'error', `TLS handshake with ${target} not attempted: ${isCollectorError(err) ? err.message : errorMessage(err)}`, {
        host: config.host,
        port: config.port,
        servername,
        ...(denied ? { egress: 'denied' } : {}),
      }),
    ];
  }

  let socket: tls.TLSSocket | undefined;
  const handshake = await new Promise<{ ok: true; socket: tls.TLSSocket } | { ok: false; message: string }>((resolve) => {
    const onAbort = (): void => {
      socket?.destroy();
      resolve({ ok: false, message: `aborted: ${abortReason(signal)}` });
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    socket = tls.connect({
      host: address,
      port: config.port,
      ...(isIP(servername) === 0 ? { servername } : {}),
      rejectUnauthorized: false,
      // Name matching is its own check below; keep it out of `authorized` so the chain verdict is only about the chain.
      checkServerIdentity: () => undefined,
      minVersion: 'TLSv1',
      ...(config.ca_pem === undefined ? {} : { ca: config.ca_pem }),
    });
    socket.once('secureConnect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve({ ok: true, socket: socket as tls.TLSSocket });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ ok: false, message: `${err.code ?? 'error'}: ${err.message}` });
    });
  });
  if (!handshake.ok)
    return [check(RULES.handshake, 'error', `TLS handshake with ${target} failed: ${handshake.message}`, { host: config.host, port: config.port, servername })];

  const s = handshake.socket;
  try {
    const peer = s.getPeerCertificate(true);
    if (!peer || !peer.raw) return [check(RULES.handshake, 'error', 'the server sent no certificate')];
    const protocol = s.getProtocol() ?? 'unknown';
    const summary = { ...summarise(peer), protocol, cipher: s.getCipher()?.name ?? null, servername };
    const checks: Check[] = [];

    checks.push(
      s.authorized
        ? check(RULES.chain, 'pass', 'the chain is trusted', summary)
        : check(RULES.chain, 'fail', `the chain is not trusted: ${String(s.authorizationError ?? 'unknown')}`, {
            ...summary,
            authorization_error: String(s.authorizationError ?? ''),
          }),
    );

    const identityError = tls.checkServerIdentity(servername, peer);
    checks.push(
      identityError === undefined
        ? check(RULES.hostname, 'pass', `the certificate names ${servername}`, { servername, subject_alt_names: summary.subject_alt_names })
        : check(RULES.hostname, 'fail', identityError.message, { servername, subject_alt_names: summary.subject_alt_names }),
    );

    const now = ctx.now().getTime();
    const notBefore = Date.parse(summary.valid_from);
    const notAfter = Date.parse(summary.valid_to);
    const days = Math.floor((notAfter - now) / DAY_MS);
    const expiryEvidence = {
      valid_from: summary.valid_from,
      valid_to: summary.valid_to,
      days_left: days,
      warn_days: config.warn_days,
      fail_days: config.fail_days,
    };
    if (now < notBefore) checks.push(check(RULES.expiry, 'fail', `not valid before ${summary.valid_from}`, expiryEvidence));
    else if (now > notAfter) checks.push(check(RULES.expiry, 'fail', `expired on ${summary.valid_to}`, expiryEvidence));
    else if (days < config.fail_days) checks.push(check(RULES.expiry, 'fail', `expires in ${days} day(s) (fail under ${config.fail_days})`, expiryEvidence));
    else if (days < config.warn_days) checks.push(check(RULES.expiry, 'warn', `expires in ${days} day(s) (warn under ${config.warn_days})`, expiryEvidence));
    else checks.push(check(RULES.expiry, 'pass', `expires in ${days} day(s)`, expiryEvidence));

    const rank = PROTOCOL_RANK[protocol] ?? -1;
    checks.push(
      rank >= (PROTOCOL_RANK[config.min_protocol] ?? 3)
        ? check(RULES.protocol, 'pass', `negotiated ${protocol}`, { protocol })
        : check(RULES.protocol, 'fail', `negotiated ${protocol}, below ${config.min_protocol}`, { protocol }),
    );
    return checks;
  } catch (err) {
    return [check(RULES.handshake, 'error', `could not inspect the certificate: ${(err as Error).message}`)];
  } finally {
    s.destroy();
  }
}
