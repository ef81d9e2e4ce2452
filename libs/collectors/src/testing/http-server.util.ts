import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** A loopback HTTP(S) server for tests. */
export interface TestHttpServer {
  readonly port: number;
  /** `http(s)://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server (or HTTPS when `tls` is given) on 127.0.0.1 with the
 * given handler. `close()` destroys open sockets, so a hung response does not
 * keep the test alive.
 */
export async function startTestHttpServer(
  handler: http.RequestListener,
  tls?: { cert: string; key: string; minVersion?: 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1.2' | 'TLSv1.3' },
): Promise<TestHttpServer> {
  const server = tls
    ? https.createServer(
        { cert: tls.cert, key: tls.key, ...(tls.minVersion ? { minVersion: tls.minVersion } : {}), ...(tls.maxVersion ? { maxVersion: tls.maxVersion } : {}) },
        handler,
      )
    : http.createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Handshake failures on the server side are expected in some tests.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
