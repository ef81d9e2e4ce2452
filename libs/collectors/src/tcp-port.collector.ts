import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Check, CheckRule } from '@auditstack/audit-core';
import { abortReason, makeCheck } from './check.util';
import { isCollectorError } from './collector.error';
import type { CollectorContext } from './collector-context.util';
import { pinDestination } from './egress-policy.util';

/** Config of the `tcp_port` action type. */
export const TcpPortConfigSchema = z
  .object({
    /** Host name or IP address. */
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65_535),
    /** Connect timeout in milliseconds. @defaultValue 5000 */
    timeout_ms: z.number().int().positive().max(600_000).default(5000),
  })
  .strict();
/** Parsed {@link TcpPortConfigSchema}. */
export type TcpPortConfig = z.infer<typeof TcpPortConfigSchema>;

const RULE: CheckRule = { id: 'tcp.connect', description: 'A TCP connection to the port is accepted within the timeout.', reference: 'RFC 9293 §3.5' };

/**
 * `tcp_port`: opens a TCP connection and closes it. A refused connection or a
 * connect timeout is a `fail` (the port is the thing checked); a name that
 * does not resolve, an address the egress policy refuses, or the run being
 * aborted, is an `error`. The name is resolved once and the connection goes
 * to the checked address.
 */
export async function collectTcpPort(config: TcpPortConfig, ctx: CollectorContext): Promise<Check[]> {
  const target = `${config.host}:${config.port}`;
  const timeout = AbortSignal.timeout(config.timeout_ms);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  const started = performance.now();
  let address: string;
  try {
    address = await pinDestination(config.host, ctx.egress, signal);
  } catch (err) {
    const message = isCollectorError(err) ? err.message : String(err);
    return [
      makeCheck(RULE.id, target, 'error', isCollectorError(err, 'EGRESS_DENIED') ? `connection refused: ${message}` : message, RULE, {
        host: config.host,
        port: config.port,
        ...(isCollectorError(err, 'EGRESS_DENIED') ? { egress: 'denied' } : {}),
      }),
    ];
  }
  return new Promise<Check[]>((resolve) => {
    let done = false;
    const socket = (ctx.connect ?? net.connect)({ host: address, port: config.port });
    const finish = (check: Check): void => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve([check]);
    };
    const onAbort = (): void => {
      if (timeout.aborted && !ctx.signal.aborted)
        finish(
          makeCheck(RULE.id, target, 'fail', `no connection within ${config.timeout_ms} ms`, RULE, {
            host: config.host,
            port: config.port,
            timeout_ms: config.timeout_ms,
          }),
        );
      else finish(makeCheck(RULE.id, target, 'error', `aborted: ${abortReason(ctx.signal)}`, RULE, { host: config.host, port: config.port }));
    };
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      const ms = Math.round(performance.now() - started);
      finish(
        makeCheck(RULE.id, target, 'pass', `connected in ${ms} ms`, RULE, {
          host: config.host,
          port: config.port,
          remote_address: socket.remoteAddress ?? null,
          connect_ms: ms,
        }),
      );
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const refused = err.code === 'ECONNREFUSED' || err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH';
      finish(
        makeCheck(RULE.id, target, refused ? 'fail' : 'error', `${err.code ?? 'error'}: ${err.message}`, RULE, {
          host: config.host,
          port: config.port,
          code: err.code ?? null,
        }),
      );
    });
  });
}
