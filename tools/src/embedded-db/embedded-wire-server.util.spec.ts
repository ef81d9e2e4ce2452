import { Client } from 'pg';
import { scramVerifier } from './embedded-scram.util';
import { EmbeddedWireServer, type PgliteSession } from './embedded-wire-server.util';

const PASSWORD = 'unit-test-password-0123456789';

/** Just enough of a PostgreSQL session for the lending logic: simple queries, BEGIN/COMMIT, Sync. */
class FakeSession implements PgliteSession {
  inTransaction = false;
  readonly statements: string[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  runExclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  isInTransaction(): boolean {
    return this.inTransaction;
  }

  async execProtocolRawStream(message: Uint8Array, options: { onRawData: (data: Uint8Array) => void }): Promise<void> {
    const data = Buffer.from(message);
    const ready = (): Buffer => Buffer.from(['Z'.charCodeAt(0), 0, 0, 0, 5, (this.inTransaction ? 'T' : 'I').charCodeAt(0)]);
    if (data[0] === 0) {
      options.onRawData(Buffer.concat([Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]), ready()]));
      return;
    }
    if (data[0] === 0x51 /* Q */) {
      const sql = data.toString('utf8', 5, data.length - 1);
      this.statements.push(sql);
      if (/^begin/i.test(sql)) this.inTransaction = true;
      if (/^(commit|rollback)/i.test(sql)) this.inTransaction = false;
      const tag = Buffer.from('SELECT 0\0');
      const complete = Buffer.concat([Buffer.from([0x43, 0, 0, 0, 4 + tag.length]), tag]);
      options.onRawData(Buffer.concat([complete, ready()]));
      return;
    }
    options.onRawData(ready());
  }
}

describe('EmbeddedWireServer: the hold limit (issue 12 item 4, dropped connections)', () => {
  let session: FakeSession;
  let server: EmbeddedWireServer;
  let port: number;
  const clients: Client[] = [];

  beforeEach(async () => {
    session = new FakeSession();
    server = new EmbeddedWireServer(session, {
      host: '127.0.0.1',
      port: 0,
      maxConnections: 8,
      idleHoldMs: 300,
      logins: [{ user: 'postgres', verifier: scramVerifier(PASSWORD) }],
    });
    port = await server.listen();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    await server.close();
  });

  async function connect(): Promise<{ client: Client; lost: () => boolean }> {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: PASSWORD, database: 'postgres' });
    let lost = false;
    client.on('error', () => (lost = true));
    await client.connect();
    clients.push(client);
    return { client, lost: () => lost };
  }
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('fault: others queueing behind an open transaction no longer arm timers that later cut the active holder', async () => {
    const holder = await connect();
    const waiters = await Promise.all([connect(), connect(), connect()]);
    await holder.client.query('BEGIN');
    // Each waiter's query pumps the queue while the transaction is open (the old code armed an orphan timer each time).
    const waiting = waiters.map((w) => w.client.query('SELECT 1'));
    // The holder stays active (a statement every 100 ms, well inside the 300 ms limit) for 1.2 s.
    for (let i = 0; i < 12; i++) {
      await pause(100);
      await holder.client.query('SELECT 1');
    }
    await holder.client.query('COMMIT');
    await Promise.all(waiting);
    expect(holder.lost()).toBe(false);
    expect(waiters.map((w) => w.lost())).toEqual([false, false, false]);
    // Later transactions are not cut either by anything left over.
    await holder.client.query('BEGIN');
    await pause(200);
    await holder.client.query('COMMIT');
    expect(holder.lost()).toBe(false);
  });

  it('a holder silent inside a transaction for the limit is still cut, and the others go on', async () => {
    const holder = await connect();
    const other = await connect();
    await holder.client.query('BEGIN');
    const waiting = other.client.query('SELECT 1');
    const deadline = Date.now() + 5_000;
    while (!holder.lost() && Date.now() < deadline) await pause(50);
    expect(holder.lost()).toBe(true);
    await waiting;
    expect(session.statements).toContain('ROLLBACK');
    expect(session.inTransaction).toBe(false);
  });

  it('the session is reset when it changes hands, not between statements of the same connection', async () => {
    const a = await connect();
    const b = await connect();
    const resets = (): number => session.statements.filter((s) => s.startsWith('SET SESSION AUTHORIZATION postgres; RESET ALL')).length;
    const before = resets();
    await a.client.query('SELECT 1');
    await a.client.query('SELECT 2');
    const afterSame = resets();
    await b.client.query('SELECT 3');
    expect(afterSame - before).toBeLessThanOrEqual(1);
    expect(resets()).toBe(afterSame + 1);
  });
});
