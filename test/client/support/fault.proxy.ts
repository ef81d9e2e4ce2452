import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What the proxy does with one request:
 * - `pass`: forwards it to the gateway and relays the answer;
 * - `retry-after`: answers 503 + `Retry-After` itself (the gateway never sees it);
 * - `cut-answer`: forwards it, waits until the gateway has answered (the events are stored), then cuts the connection — the client never learns the outcome.
 */
export type Fault = 'pass' | 'retry-after' | 'cut-answer';

/** An HTTP proxy in front of a real gateway that injects a scripted fault per request. */
export interface FaultProxy {
  readonly url: string;
  /** Every request that reached the proxy: its path, the fault applied and when (`performance.now()`). */
  readonly seen: { path: string; fault: Fault; at: number; body: string }[];
  close(): Promise<void>;
}

/** Starts the proxy; `faultFor(index)` picks the fault of the request number `index` (0-based). */
export async function startFaultProxy(target: string, faultFor: (index: number) => Fault, retryAfterSeconds = 1): Promise<FaultProxy> {
  const seen: FaultProxy['seen'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const fault = faultFor(seen.length);
      seen.push({ path: req.url ?? '', fault, at: performance.now(), body });
      if (fault === 'retry-after') {
        const problem = {
          type: 'https://auditstack.dev/problems/overloaded',
          title: 'Service overloaded',
          status: 503,
          code: 'OVERLOADED',
          retry_after_seconds: retryAfterSeconds,
        };
        res.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': String(retryAfterSeconds) });
        res.end(JSON.stringify(problem));
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'accept']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      void fetch(`${target}${req.url ?? ''}`, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body })
        .then(async (answer) => {
          const text = await answer.text();
          if (fault === 'cut-answer') {
            req.socket.destroy();
            return;
          }
          const relay: Record<string, string> = {};
          for (const name of ['content-type', 'retry-after']) {
            const value = answer.headers.get(name);
            if (value !== null) relay[name] = value;
          }
          res.writeHead(answer.status, relay);
          res.end(text);
        })
        .catch(() => req.socket.destroy());
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
