import { createServer, type Server, type Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
/** Extended-query messages: after one of these the session holds state (an unnamed statement or portal) until Sync. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H']);
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);

/** A simple-Query protocol message (raw: PGlite's exec() would wait for the lock we already hold). */
function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message.write('Q', 0, 'ascii');
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message);
}
const ROLLBACK = queryMessage('ROLLBACK');

/** What the server needs of a PGlite instance. */
export interface PgliteSession {
  execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
  isInTransaction(): boolean;
  runExclusive<T>(work: () => Promise<T>): Promise<T>;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  buffer: Buffer;
  started: boolean;
  readonly queue: Buffer[];
  /** Between the first extended-query message and its Sync. */
  midSequence: boolean;
  closed: boolean;
}

export interface EmbeddedWireServerOptions {
  host: string;
  port: number;
  /** Most client connections at once. */
  maxConnections: number;
  /** A connection that holds the session (open transaction or unfinished sequence) and stays silent this long is cut. @defaultValue 30000 */
  idleHoldMs?: number;
}

/**
 * Serves one PGlite database (a single PostgreSQL session) to many wire-protocol
 * clients on loopback. PGlite has one session, so the server lends it to one
 * connection at a time and switches only at a point where no session state is
 * pending: outside a transaction and after a Sync (extended protocol) or a
 * simple Query completes. A connection that leaves mid-sequence or
 * mid-transaction is cleaned up (Sync, ROLLBACK) before the next one goes on.
 */
export class EmbeddedWireServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private owner: Connection | null = null;
  private running = false;
  private nextId = 1;
  private holdTimer: NodeJS.Timeout | undefined;
  /** Set by close(): connection cleanup must not touch a database that is being shut down. */
  private closing = false;

  constructor(
    private readonly db: PgliteSession,
    private readonly options: EmbeddedWireServerOptions,
  ) {
    this.server = createServer((socket) => this.accept(socket));
    this.server.maxConnections = options.maxConnections;
  }

  /** Resolves with the bound port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : this.options.port);
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.holdTimer);
    for (const conn of this.connections) conn.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn: Connection = { id: this.nextId++, socket, buffer: Buffer.alloc(0), started: false, queue: [], midSequence: false, closed: false };
    this.connections.add(conn);
    socket.on('data', (chunk) => this.receive(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.release(conn));
  }

  /** Splits the byte stream into whole protocol messages (the peer controls framing: lengths are checked). */
  private receive(conn: Connection, chunk: Buffer): void {
    conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
    for (;;) {
      if (!conn.started) {
        if (conn.buffer.length < 8) return;
        const length = conn.buffer.readInt32BE(0);
        const code = conn.buffer.readInt32BE(4);
        if (length < 8 || length > 10_000) return void conn.socket.destroy();
        if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
          conn.socket.write('N');
          conn.buffer = conn.buffer.subarray(8);
          continue;
        }
        if (length === 16 && code === CANCEL_REQUEST) return void conn.socket.destroy();
        if (conn.buffer.length < length) return;
        this.enqueue(conn, conn.buffer.subarray(0, length));
        conn.buffer = conn.buffer.subarray(length);
        conn.started = true;
        continue;
      }
      if (conn.buffer.length < 5) return;
      const total = 1 + conn.buffer.readInt32BE(1);
      if (total < 5) return void conn.socket.destroy();
      if (conn.buffer.length < total) return;
      const message = Buffer.from(conn.buffer.subarray(0, total));
      conn.buffer = conn.buffer.subarray(total);
      if (message[0] === 0x58 /* Terminate */) return void conn.socket.end();
      this.enqueue(conn, message);
    }
  }

  private enqueue(conn: Connection, message: Buffer): void {
    conn.queue.push(message);
    void this.pump();
  }

  /** The connection allowed to talk to the session now, or null to wait. */
  private pick(): Connection | null {
    const owner = this.owner;
    if (owner && !owner.closed && this.holds(owner)) return owner.queue.length > 0 ? owner : null;
    // Round robin from the connection after the last one served, so nobody starves.
    const list = [...this.connections];
    const start = owner ? list.indexOf(owner) + 1 : 0;
    for (let i = 0; i < list.length; i++) {
      const conn = list[(start + i) % list.length]!;
      if (conn.queue.length > 0) return conn;
    }
    return null;
  }

  /** Whether the session still carries state of `conn` (an unfinished sequence or an open transaction). */
  private holds(conn: Connection): boolean {
    return this.owner === conn && (conn.midSequence || this.db.isInTransaction());
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let conn = this.pick(); conn; conn = this.pick()) {
        clearTimeout(this.holdTimer);
        const message = conn.queue.shift()!;
        const type = conn.started && message.length >= 5 && message.readInt32BE(1) + 1 === message.length ? String.fromCharCode(message[0]!) : '';
        const target = conn;
        await this.db.runExclusive(async () => {
          try {
            await this.db.execProtocolRawStream(new Uint8Array(message), {
              onRawData: (data) => {
                if (!target.closed) target.socket.write(data);
              },
            });
          } catch {
            target.socket.destroy();
          }
          // Recorded inside the exclusive section, so release() sees exactly who left state behind.
          this.owner = target;
          if (EXTENDED.has(type)) target.midSequence = true;
          else if (type === 'S' || type === 'Q' || type === '') target.midSequence = false;
        });
      }
      const owner = this.owner;
      if (owner && !owner.closed && this.holds(owner)) {
        // The session is held while its owner is silent: cut an owner that never comes back.
        this.holdTimer = setTimeout(() => owner.socket.destroy(), this.options.idleHoldMs ?? 30_000);
      }
    } finally {
      this.running = false;
    }
  }

  /** A connection went away: drop its queue and undo what it left open on the shared session. */
  private async release(conn: Connection): Promise<void> {
    conn.closed = true;
    conn.queue.length = 0;
    this.connections.delete(conn);
    if (this.closing) return;
    try {
      await this.db.runExclusive(async () => {
        if (this.owner !== conn || this.closing) return;
        clearTimeout(this.holdTimer);
        if (conn.midSequence) await this.db.execProtocolRawStream(new Uint8Array(SYNC), { onRawData: () => undefined });
        if (this.db.isInTransaction()) await this.db.execProtocolRawStream(ROLLBACK, { onRawData: () => undefined });
        this.owner = null;
      });
    } catch {
      // The session could not be cleaned (database closing): nothing left to protect.
      this.owner = null;
    }
    void this.pump();
  }
}
