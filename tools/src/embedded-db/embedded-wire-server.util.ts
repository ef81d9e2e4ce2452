import { createServer, type Server, type Socket } from 'node:net';
import { embeddedRefusal } from './embedded-sql-guard.util';
import { ScramServerExchange, type ScramVerifier } from './embedded-scram.util';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** Largest message accepted before authentication (a StartupMessage or a SASL response is far smaller). */
const MAX_UNAUTHENTICATED_MESSAGE = 10_000;
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
/**
 * What a connection may have left on the shared session, undone before the
 * session is lent to another one (DISCARD ALL without DEALLOCATE ALL, which
 * cannot run in the implicit transaction of a multi-statement Query anyway):
 * the session authorization and role, every setting, open cursors, LISTEN
 * registrations, session advisory locks and temporary tables. Named prepared
 * statements are kept while their connection lives (a client caches them per
 * connection and would fail on its next lend; they run with the privileges of
 * whoever executes them) and closed when it goes, so a new connection can
 * reuse the names.
 */
// `SET SESSION AUTHORIZATION DEFAULT` does nothing on PGlite (its single-user session has no reset
// value for it): the superuser is named.
const RESET = queryMessage('SET SESSION AUTHORIZATION postgres; RESET ALL; CLOSE ALL; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP');

/** A backend message: `type`, int32 length, body. */
function backendMessage(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'ascii');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}
const int32 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
};
const cstring = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');
function errorResponse(severity: 'ERROR' | 'FATAL', code: string, message: string): Buffer {
  return backendMessage('E', Buffer.concat([cstring(`S${severity}`), cstring(`V${severity}`), cstring(`C${code}`), cstring(`M${message}`), Buffer.from([0])]));
}

/** The first ErrorResponse's message in a stream of backend messages, or null. */
function firstError(data: Buffer): string | null {
  for (let at = 0; at + 5 <= data.length;) {
    const length = data.readInt32BE(at + 1);
    if (data[at] === 0x45 /* E */) {
      for (let f = at + 5; f < at + 1 + length && data[f] !== 0;) {
        const end = data.indexOf(0, f + 1);
        if (data[f] === 0x4d /* M */) return data.toString('utf8', f + 1, end);
        f = end + 1;
      }
      return 'error';
    }
    at += 1 + length;
  }
  return null;
}

/** What the server needs of a PGlite instance. */
export interface PgliteSession {
  execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void>;
  isInTransaction(): boolean;
  runExclusive<T>(work: () => Promise<T>): Promise<T>;
}

/** A user name the server accepts, with its SCRAM-SHA-256 verifier. */
export interface EmbeddedLogin {
  user: string;
  verifier: ScramVerifier;
  /**
   * Confine this login to a database role: each lend of the session runs
   * under `SET SESSION AUTHORIZATION <readerRole>`, and its statements are
   * held to reading (see embeddedRefusal). Unset: the superuser session.
   */
  readerRole?: string;
}

interface Queued {
  data: Buffer;
  /** The (sanitised) StartupMessage, passed to PGlite once authentication succeeded. */
  startup: boolean;
}

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  buffer: Buffer;
  phase: 'startup' | 'sasl-initial' | 'sasl-final' | 'ready';
  login?: EmbeddedLogin;
  scram?: ScramServerExchange;
  authTimer?: NodeJS.Timeout;
  readonly queue: Queued[];
  /** Between the first extended-query message and its Sync. */
  midSequence: boolean;
  /** A Parse was refused: drop messages up to the Sync, as PostgreSQL does after an error. */
  discarding: boolean;
  /** When its last message finished (for the hold limit). */
  lastActive: number;
  /** Named prepared statements it created: closed when it goes (another connection may reuse the names). */
  readonly prepared: Set<string>;
  closed: boolean;
}

export interface EmbeddedWireServerOptions {
  host: string;
  port: number;
  /** Most client connections at once. */
  maxConnections: number;
  /** Who may connect (SCRAM-SHA-256). No other user name is accepted. */
  logins: EmbeddedLogin[];
  /** A connection that holds the session (open transaction or unfinished sequence) and stays silent this long is cut. @defaultValue 30000 */
  idleHoldMs?: number;
  /** A connection that has not authenticated within this time is closed. @defaultValue 10000 */
  authTimeoutMs?: number;
  /** Operational messages (never secrets or client data beyond a user name). */
  log?: (line: string) => void;
}

class LendRefused extends Error {}

/**
 * Serves one PGlite database (a single PostgreSQL session) to many wire-protocol
 * clients on loopback.
 *
 * - Authentication: SCRAM-SHA-256 against the configured logins before
 *   anything reaches PGlite; a wrong or missing password is FATAL 28P01.
 * - One session, lent to one connection at a time, switching only where no
 *   state is pending: outside a transaction and after a Sync (extended
 *   protocol) or a simple Query completes. A connection that leaves
 *   mid-sequence or mid-transaction is cleaned up (Sync, ROLLBACK).
 * - Every lend to another connection starts clean (see RESET): settings,
 *   role, advisory locks, LISTEN, cursors and temporary tables of the previous
 *   borrower are gone. The reset runs only when the borrower changes.
 * - Statements the embedded engine does not survive are refused with an
 *   ErrorResponse (embeddedRefusal); reader logins are confined (EmbeddedLogin).
 */
export class EmbeddedWireServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly logins: Map<string, EmbeddedLogin>;
  /** The connection whose exchange ran last (it may still hold a transaction or sequence). */
  private owner: Connection | null = null;
  /** The connection whose session state is current: a lend to any other one resets first. */
  private lentTo: Connection | null = null;
  private running = false;
  private nextId = 1;
  private holdTimer: NodeJS.Timeout | undefined;
  /** Set by close(): connection cleanup must not touch a database that is being shut down. */
  private closing = false;
  /** Named prepared statements of connections that went away, closed at the next lend. */
  private readonly orphanedStatements: string[] = [];

  constructor(
    private readonly db: PgliteSession,
    private readonly options: EmbeddedWireServerOptions,
  ) {
    for (const login of options.logins) {
      if (login.readerRole !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(login.readerRole)) throw new Error(`invalid reader role name`);
    }
    this.logins = new Map(options.logins.map((l) => [l.user, l]));
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
    const conn: Connection = {
      id: this.nextId++,
      socket,
      buffer: Buffer.alloc(0),
      phase: 'startup',
      queue: [],
      midSequence: false,
      discarding: false,
      lastActive: Date.now(),
      prepared: new Set(),
      closed: false,
    };
    conn.authTimer = setTimeout(() => socket.destroy(), this.options.authTimeoutMs ?? 10_000);
    this.connections.add(conn);
    socket.on('data', (chunk) => this.receive(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.release(conn));
  }

  /** Refuses the connection: FATAL ErrorResponse, then close. Nothing of it reached PGlite. */
  private refuse(conn: Connection, code: string, message: string): void {
    conn.socket.end(errorResponse('FATAL', code, message));
    conn.buffer = Buffer.alloc(0);
    conn.phase = 'startup';
    conn.closed = true;
  }

  /** Splits the byte stream into whole protocol messages (the peer controls framing: lengths are checked). */
  private receive(conn: Connection, chunk: Buffer): void {
    if (conn.closed) return;
    conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
    for (;;) {
      if (conn.closed) return;
      if (conn.phase === 'startup') {
        if (conn.buffer.length < 8) return;
        const length = conn.buffer.readInt32BE(0);
        const code = conn.buffer.readInt32BE(4);
        if (length < 8 || length > MAX_UNAUTHENTICATED_MESSAGE) return void conn.socket.destroy();
        if (length === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
          conn.socket.write('N');
          conn.buffer = conn.buffer.subarray(8);
          continue;
        }
        if (length === 16 && code === CANCEL_REQUEST) return void conn.socket.destroy();
        if (conn.buffer.length < length) return;
        const startup = conn.buffer.subarray(0, length);
        conn.buffer = conn.buffer.subarray(length);
        this.startup(conn, startup);
        continue;
      }
      if (conn.buffer.length < 5) return;
      const total = 1 + conn.buffer.readInt32BE(1);
      if (total < 5 || (conn.phase !== 'ready' && total > MAX_UNAUTHENTICATED_MESSAGE)) return void conn.socket.destroy();
      if (conn.buffer.length < total) return;
      const message = Buffer.from(conn.buffer.subarray(0, total));
      conn.buffer = conn.buffer.subarray(total);
      if (message[0] === 0x58 /* Terminate */) return void conn.socket.end();
      if (conn.phase !== 'ready') this.authenticate(conn, message);
      else this.enqueue(conn, { data: message, startup: false });
    }
  }

  /** StartupMessage: pick the login by user name and start SCRAM-SHA-256. */
  private startup(conn: Connection, packet: Buffer): void {
    if (packet.readInt32BE(4) >> 16 !== 3) return this.refuse(conn, '08P01', 'unsupported frontend protocol');
    const params = new Map<string, string>();
    const fields = packet.toString('utf8', 8).split('\0');
    for (let i = 0; i + 1 < fields.length && fields[i]; i += 2) params.set(fields[i]!, fields[i + 1]!);
    const login = this.logins.get(params.get('user') ?? '');
    if (!login) return this.refuse(conn, '28P01', 'password authentication failed');
    conn.login = login;
    conn.scram = new ScramServerExchange(login.verifier);
    conn.phase = 'sasl-initial';
    conn.socket.write(backendMessage('R', Buffer.concat([int32(10), cstring('SCRAM-SHA-256'), Buffer.from([0])])));
  }

  /** SASLInitialResponse and SASLResponse ('p'); anything else before authentication is refused. */
  private authenticate(conn: Connection, message: Buffer): void {
    const failed = (): void => this.refuse(conn, '28P01', `password authentication failed for user "${conn.login?.user ?? ''}"`);
    if (message[0] !== 0x70 /* p */) return failed();
    try {
      if (conn.phase === 'sasl-initial') {
        const end = message.indexOf(0, 5);
        if (end < 0 || message.toString('utf8', 5, end) !== 'SCRAM-SHA-256') return failed();
        const length = message.readInt32BE(end + 1);
        const clientFirst = message.toString('utf8', end + 5, end + 5 + Math.max(0, length));
        conn.socket.write(backendMessage('R', Buffer.concat([int32(11), Buffer.from(conn.scram!.first(clientFirst), 'utf8')])));
        conn.phase = 'sasl-final';
        return;
      }
      const serverFinal = conn.scram!.final(message.toString('utf8', 5));
      conn.socket.write(backendMessage('R', Buffer.concat([int32(12), Buffer.from(serverFinal, 'utf8')])));
    } catch {
      return failed();
    }
    clearTimeout(conn.authTimer);
    conn.phase = 'ready';
    conn.scram = undefined;
    // PGlite answers a StartupMessage with AuthenticationOk, the parameters and ReadyForQuery. It gets
    // only user and database, fixed: client options (client_encoding, options=-c …) would change the
    // shared session's defaults for every other client.
    const body = Buffer.concat([int32(PROTOCOL_3), cstring('user'), cstring('postgres'), cstring('database'), cstring('postgres'), Buffer.from([0])]);
    this.enqueue(conn, { data: Buffer.concat([int32(4 + body.length), body]), startup: true });
  }

  private enqueue(conn: Connection, item: Queued): void {
    conn.queue.push(item);
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
      if (!conn.closed && conn.queue.length > 0) return conn;
    }
    return null;
  }

  /** Whether the session still carries state of `conn` (an unfinished sequence or an open transaction). */
  private holds(conn: Connection): boolean {
    return this.owner === conn && (conn.midSequence || this.db.isInTransaction());
  }

  /** Runs an internal statement on the session (inside runExclusive); returns the error message, or null. */
  private async internal(message: Uint8Array): Promise<string | null> {
    const chunks: Buffer[] = [];
    await this.db.execProtocolRawStream(message, { onRawData: (data) => chunks.push(Buffer.from(data)) });
    return firstError(Buffer.concat(chunks));
  }

  /**
   * Hands the session to `conn`: undo what the previous borrower left, then
   * for a reader login switch the session authorization. A reader lend that
   * cannot be confined fails closed (LendRefused): never the superuser.
   */
  private async lend(conn: Connection): Promise<void> {
    for (const name of this.orphanedStatements.splice(0)) {
      await this.internal(new Uint8Array(Buffer.concat([backendMessage('C', Buffer.concat([Buffer.from('S'), cstring(name)])), SYNC])));
    }
    if (this.lentTo !== null) {
      const error = await this.internal(RESET);
      if (error) this.options.log?.(`embedded database: session reset failed: ${error}`);
      this.lentTo = null;
    }
    const role = conn.login?.readerRole;
    if (role) {
      const error = await this.internal(queryMessage(`SET SESSION AUTHORIZATION "${role}"`));
      if (error) {
        this.lentTo = conn; // whatever half-happened is reset at the next lend
        throw new LendRefused(`the embedded database cannot confine login "${conn.login!.user}" to role ${role} (${error}); run the migrations`);
      }
    }
    this.lentTo = conn;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let conn = this.pick(); conn; conn = this.pick()) {
        const item = conn.queue.shift()!;
        const target = conn;
        await this.db.runExclusive(async () => {
          try {
            await this.exchange(target, item);
          } catch (error) {
            if (error instanceof LendRefused) {
              this.options.log?.(error.message);
              target.socket.end(errorResponse('FATAL', '28000', error.message));
            } else {
              this.options.log?.(`embedded database: connection ${target.id} closed after an engine error: ${(error as Error).message}`);
              target.socket.destroy();
            }
            target.closed = true;
            target.queue.length = 0;
          }
          target.lastActive = Date.now();
        });
      }
    } finally {
      this.running = false;
      this.armHoldTimer();
    }
  }

  /** One client message on the session (inside runExclusive). */
  private async exchange(conn: Connection, item: Queued): Promise<void> {
    const forward = { onRawData: (data: Uint8Array) => void (!conn.closed && conn.socket.write(data)) };
    if (this.lentTo !== conn) await this.lend(conn);
    this.owner = conn;
    if (item.startup) await this.db.execProtocolRawStream(new Uint8Array(item.data), forward);
    else await this.message(conn, item.data, forward);
    // A reader's exchange is over and no transaction is open: re-confine from scratch, so a DISCARD ALL
    // (or anything the checks missed) cannot leave it with the superuser's authorization.
    if (conn.login?.readerRole !== undefined && !conn.midSequence && !this.db.isInTransaction()) await this.lend(conn);
  }

  private async message(conn: Connection, message: Buffer, forward: { onRawData: (data: Uint8Array) => void }): Promise<void> {
    const type = String.fromCharCode(message[0]!);
    if (conn.discarding) {
      if (type !== 'S') return;
      conn.discarding = false;
    }
    const reader = conn.login?.readerRole !== undefined;
    const text =
      type === 'Q'
        ? message.toString('utf8', 5, message.length - 1)
        : type === 'P'
          ? message.toString('utf8', message.indexOf(0, 5) + 1, message.indexOf(0, message.indexOf(0, 5) + 1))
          : null;
    const refusal = text === null ? null : embeddedRefusal(text, reader);
    if (refusal) {
      conn.socket.write(errorResponse('ERROR', '42501', `refused by the embedded database: ${refusal}`));
      if (type === 'Q')
        await this.db.execProtocolRawStream(new Uint8Array(SYNC), forward); // ReadyForQuery with the true status
      else {
        conn.discarding = true;
        conn.midSequence = true;
      }
      return;
    }
    await this.db.execProtocolRawStream(new Uint8Array(message), forward);
    if (type === 'P' || (type === 'C' && message[5] === 0x53) /* Parse, Close statement */) {
      const at = type === 'P' ? 5 : 6;
      const name = message.toString('utf8', at, message.indexOf(0, at));
      if (name && type === 'P') conn.prepared.add(name);
      else conn.prepared.delete(name);
    }
    if (EXTENDED.has(type)) conn.midSequence = true;
    else if (type === 'S' || type === 'Q') conn.midSequence = false;
  }

  /** Cuts the session's holder once it has been silent for idleHoldMs (re-armed after every pump). */
  private armHoldTimer(): void {
    clearTimeout(this.holdTimer);
    const owner = this.owner;
    if (!owner || owner.closed || this.closing || !this.holds(owner)) return;
    const limit = this.options.idleHoldMs ?? 30_000;
    const due = owner.lastActive + limit - Date.now();
    this.holdTimer = setTimeout(
      () => {
        if (this.owner !== owner || owner.closed || this.running || !this.holds(owner)) return;
        if (Date.now() - owner.lastActive < limit) return this.armHoldTimer();
        this.options.log?.(`embedded database: connection ${owner.id} held the session silently for ${limit} ms inside a transaction; closing it`);
        owner.socket.destroy();
      },
      Math.max(0, due),
    );
    this.holdTimer.unref();
  }

  /** A connection went away: drop its queue and undo what it left open on the shared session. */
  private async release(conn: Connection): Promise<void> {
    clearTimeout(conn.authTimer);
    conn.closed = true;
    conn.queue.length = 0;
    this.connections.delete(conn);
    if (this.closing) return;
    try {
      await this.db.runExclusive(async () => {
        if (this.closing) return;
        if (this.owner === conn) {
          if (conn.midSequence) await this.db.execProtocolRawStream(new Uint8Array(SYNC), { onRawData: () => undefined });
          if (this.db.isInTransaction()) await this.db.execProtocolRawStream(ROLLBACK, { onRawData: () => undefined });
          this.owner = null;
        }
        // Closed at the next lend, where no other connection holds the session (a Sync now could end its sequence).
        this.orphanedStatements.push(...conn.prepared);
      });
    } catch {
      // The session could not be cleaned (database closing): nothing left to protect.
      this.owner = null;
    }
    void this.pump();
  }
}
