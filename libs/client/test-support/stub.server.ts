/** A scripted local HTTP server standing in for a service in the SDK's unit specs (not exported). */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the stub received. */
export interface StubRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** When it arrived (`performance.now()`). */
  readonly at: number;
}

/** How the stub answers: a status, headers and a body (an object is sent as JSON), or `'destroy'` to cut the connection. */
export type StubAnswer = { status: number; headers?: Record<string, string>; body?: unknown } | 'destroy';

/** A local HTTP server whose answers a spec scripts, recording every request. */
export interface StubServer {
  readonly url: string;
  readonly requests: StubRequest[];
  /** Resolves once `n` requests have arrived (a positive signal, no sleep). */
  waitForRequests(n: number): Promise<StubRequest[]>;
  close(): Promise<void>;
}

/** Starts a stub on 127.0.0.1; `answer` is called for each request in turn (its index is 0-based). */
export async function startStubServer(answer: (request: StubRequest, index: number) => StubAnswer | Promise<StubAnswer>): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const waiters: { n: number; resolve: (r: StubRequest[]) => void }[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: StubRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      };
      const index = requests.push(request) - 1;
      for (let i = waiters.length - 1; i >= 0; i--) if (requests.length >= waiters[i]!.n) waiters.splice(i, 1)[0]!.resolve(requests.slice());
      void Promise.resolve(answer(request, index)).then((a) => {
        if (a === 'destroy') {
          req.socket.destroy();
          return;
        }
        const json = a.body !== undefined && typeof a.body !== 'string';
        res.writeHead(a.status, {
          ...(json ? { 'content-type': 'application/json' } : {}),
          ...a.headers,
        });
        res.end(json ? JSON.stringify(a.body) : ((a.body as string | undefined) ?? ''));
      });
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
    requests,
    waitForRequests: (n) => (requests.length >= n ? Promise.resolve(requests.slice()) : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The gateway's answer to a batch: every event `accepted`, except those whose index is in `statuses`. */
export function batchAnswer(body: string, statuses: Record<number, 'duplicate' | 'rejected'> = {}): StubAnswer {
  const events = JSON.parse(body) as { event_id?: string }[];
  const results = events.map((e, index) => {
    const status = statuses[index] ?? 'accepted';
    return {
      index,
      status,
      event_id: e.event_id,
      ...(status === 'rejected' ? { errors: [`[${index}] ts: required`] } : {}),
    };
  });
  const count = (s: string): number => results.filter((r) => r.status === s).length;
  return {
    status: 200,
    body: {
      results,
      accepted: count('accepted'),
      duplicate: count('duplicate'),
      rejected: count('rejected'),
      backend: 'postgres',
    },
  };
}
