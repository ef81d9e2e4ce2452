import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { CollectorError } from './collector.error';
import { pinDestination, type EgressGuard } from './egress-policy.util';

/** One HTTP exchange's request. */
export interface HttpRequestOptions {
  readonly url: URL;
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Verify the server certificate (chain and name). */
  readonly verifyTls: boolean;
  /** Extra trusted CA certificates (PEM), replacing the default roots when set. */
  readonly ca?: string;
  /**
   * Connect here instead of the URL's host/port while keeping the URL's host
   * for SNI, certificate name checks and the Host header (tests, split horizon).
   */
  readonly connectTo?: { readonly host: string; readonly port: number };
  /** Body bytes kept; the rest is discarded and `truncated` set. */
  readonly maxBodyBytes: number;
  readonly signal: AbortSignal;
  /** The egress policy the destination must pass. @defaultValue `DEFAULT_EGRESS_POLICY`, system resolver */
  readonly egress?: EgressGuard;
}

/** The response, its body bounded by {@link HttpRequestOptions.maxBodyBytes}. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly bodyBytes: number;
  readonly truncated: boolean;
  /** Milliseconds until the response headers arrived. */
  readonly ttfbMs: number;
  /** Milliseconds until the (bounded) body was read. */
  readonly totalMs: number;
  /** TLS protocol negotiated, for https. */
  readonly tlsProtocol?: string;
  /** The address connected to (checked by the egress policy). */
  readonly address: string;
}

/** Failure codes of {@link httpRequest}; the collectors turn them into checks, never rethrow them. */
export type HttpFailureCode = 'REQUEST_ABORTED' | 'REQUEST_TLS' | 'REQUEST_NETWORK' | 'EGRESS_DENIED';

const TLS_ERROR_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * One HTTP(S) request with node:http(s): no connection reuse, bounded body,
 * aborted by the signal. The destination (the URL's host, or `connectTo`) is
 * resolved once and every address checked against the egress policy; the
 * connection goes to the checked address while SNI, certificate name and the
 * Host header keep the URL's name (no second resolution: DNS rebinding cannot
 * move it). The response (status, headers, body) is attacker-controlled.
 * Redirects are not followed here: each hop is a new call, checked again.
 *
 * @throws CollectorError (`REQUEST_ABORTED` | `REQUEST_TLS` | `REQUEST_NETWORK` | `EGRESS_DENIED`) for anything that prevents a response.
 */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const isHttps = options.url.protocol === 'https:';
  const target = options.connectTo ?? { host: options.url.hostname, port: options.url.port === '' ? (isHttps ? 443 : 80) : Number(options.url.port) };
  const address = await pinDestination(target.host, options.egress, options.signal);
  return exchange(options, { host: address, port: target.port });
}

function exchange(options: HttpRequestOptions, destination: { host: string; port: number }): Promise<HttpResponse> {
  const { url, signal } = options;
  return new Promise<HttpResponse>((resolveOnce, rejectOnce) => {
    let settled = false;
    const resolve = (r: HttpResponse): void => {
      if (!settled) resolveOnce(r);
      settled = true;
    };
    const reject = (e: CollectorError<HttpFailureCode>): void => {
      if (!settled) rejectOnce(e);
      settled = true;
    };
    if (signal.aborted) {
      reject(new CollectorError('REQUEST_ABORTED', `aborted before the request: ${String(signal.reason ?? '')}`));
      return;
    }
    const isHttps = url.protocol === 'https:';
    const started = performance.now();
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const requestOptions: https.RequestOptions = {
      method: options.method,
      host: destination.host,
      port: destination.port,
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, 'user-agent': 'auditstack-collectors', ...options.headers },
      agent: false,
      signal,
    };
    if (isHttps) {
      requestOptions.rejectUnauthorized = options.verifyTls;
      // SNI must be a host name, never an IP literal (RFC 6066 §3).
      if (!/^[0-9.]+$|:/.test(hostname)) requestOptions.servername = hostname;
      if (options.ca !== undefined) requestOptions.ca = options.ca;
    }
    const req = (isHttps ? https : http).request(requestOptions, (res) => {
      const ttfbMs = performance.now() - started;
      const tlsProtocol = isHttps ? ((res.socket as TLSSocket).getProtocol?.() ?? undefined) : undefined;
      const chunks: Buffer[] = [];
      let kept = 0;
      let total = 0;
      let truncated = false;
      const finish = (): void => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          bodyBytes: total,
          truncated,
          ttfbMs,
          totalMs: performance.now() - started,
          address: destination.host,
          ...(tlsProtocol ? { tlsProtocol } : {}),
        });
      };
      res.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (kept < options.maxBodyBytes) {
          const slice = chunk.subarray(0, options.maxBodyBytes - kept);
          chunks.push(slice);
          kept += slice.length;
        }
        if (total > options.maxBodyBytes) {
          // Attacker-controlled body: stop reading past the bound.
          truncated = true;
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', (err: NodeJS.ErrnoException) => {
        if (truncated) return;
        reject(classify(err, signal));
      });
      res.on('aborted', () => reject(new CollectorError(signal.aborted ? 'REQUEST_ABORTED' : 'REQUEST_NETWORK', 'response aborted')));
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(classify(err, signal)));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function classify(err: NodeJS.ErrnoException, signal: AbortSignal): CollectorError<HttpFailureCode> {
  if (signal.aborted || err.name === 'AbortError') {
    const reason: unknown = signal.reason;
    return new CollectorError('REQUEST_ABORTED', `aborted: ${reason instanceof Error ? reason.message : String(reason ?? 'signal')}`, err.code);
  }
  if (err.code !== undefined && (TLS_ERROR_CODES.has(err.code) || err.code.startsWith('ERR_SSL') || err.code.startsWith('ERR_TLS'))) {
    return new CollectorError('REQUEST_TLS', `${err.code}: ${err.message}`, err.code);
  }
  return new CollectorError('REQUEST_NETWORK', err.code ? `${err.code}: ${err.message}` : err.message, err.code);
}
