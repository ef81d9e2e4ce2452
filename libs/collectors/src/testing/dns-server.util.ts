import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';

/** Records served for one owner name in a {@link TestZone}. */
export interface TestZoneRecords {
  A?: string[];
  AAAA?: string[];
  /** Each entry is one TXT record: a string, or its list of character-strings (each ≤ 255 octets). */
  TXT?: Array<string | string[]>;
  MX?: Array<{ priority: number; exchange: string }>;
  CNAME?: string;
  NS?: string[];
  PTR?: string[];
  /** Answer every query for this name with SERVFAIL (RCODE 2). */
  servfail?: boolean;
  /** Never answer queries for this name (to test aborts and timeouts). */
  hang?: boolean;
}

/** Owner name (lower case, no trailing dot) → records. */
export type TestZone = Record<string, TestZoneRecords>;

/** One query the server received. */
export interface ReceivedQuery {
  readonly name: string;
  readonly type: string;
  readonly transport: 'udp' | 'tcp';
}

/** A running authoritative test server; see {@link startTestDnsServer}. */
export interface TestDnsServer {
  /** Port shared by the UDP and the TCP listener on 127.0.0.1. */
  readonly port: number;
  /** `127.0.0.1:<port>`, ready for `Resolver.setServers`. */
  readonly server: string;
  /** Every query received, in order. */
  readonly queries: ReceivedQuery[];
  /** Replaces the zone data served from now on. */
  setZone(zone: TestZone): void;
  close(): Promise<void>;
}

/** Options of {@link startTestDnsServer}. */
export interface TestDnsServerOptions {
  /**
   * Largest UDP response sent; larger ones go out empty with TC set so the
   * client retries over TCP (RFC 1035 §4.2.1, RFC 7766).
   * @defaultValue 512
   */
  readonly udpSizeLimit?: number;
}

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
type RecordType = 'A' | 'AAAA' | 'TXT' | 'MX' | 'CNAME' | 'NS' | 'PTR';

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function answersFor(name: string, type: string, records: TestZoneRecords): dnsPacket.Answer[] {
  const base = { name, ttl: 60, class: 'IN' as const };
  switch (type as RecordType) {
    case 'A':
      return (records.A ?? []).map((data) => ({ ...base, type: 'A', data }));
    case 'AAAA':
      return (records.AAAA ?? []).map((data) => ({ ...base, type: 'AAAA', data }));
    case 'TXT':
      return (records.TXT ?? []).map((data) => ({ ...base, type: 'TXT', data: typeof data === 'string' ? [data] : data }));
    case 'MX':
      return (records.MX ?? []).map((mx) => ({ ...base, type: 'MX', data: { preference: mx.priority, exchange: mx.exchange } }));
    case 'CNAME':
      return records.CNAME ? [{ ...base, type: 'CNAME', data: records.CNAME }] : [];
    case 'NS':
      return (records.NS ?? []).map((data) => ({ ...base, type: 'NS', data }));
    case 'PTR':
      return (records.PTR ?? []).map((data) => ({ ...base, type: 'PTR', data }));
    default:
      return [];
  }
}

/**
 * Starts an authoritative DNS server for tests on 127.0.0.1, UDP and TCP on
 * the same port, answering from per-test zone data: NXDOMAIN for names that
 * do not exist (and have no descendants), NODATA for names without records
 * of the asked type, CNAME chains followed inside the zone, and TC on UDP
 * answers over {@link TestDnsServerOptions.udpSizeLimit}.
 */
export async function startTestDnsServer(zone: TestZone, options: TestDnsServerOptions = {}): Promise<TestDnsServer> {
  const udpSizeLimit = options.udpSizeLimit ?? 512;
  let current = normaliseZone(zone);
  const queries: ReceivedQuery[] = [];

  const respond = (query: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp'): dnsPacket.Packet | undefined => {
    const question = query.questions?.[0];
    if (!question) return undefined;
    const qname = normalise(question.name);
    queries.push({ name: qname, type: question.type, transport });
    const response: dnsPacket.Packet = {
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
      questions: [question],
      answers: [],
    };
    let name = qname;
    for (let hops = 0; hops < 8; hops += 1) {
      const records = current[name];
      if (records?.hang) return undefined;
      if (records?.servfail) return { ...response, flags: (response.flags ?? 0) | RCODE_SERVFAIL };
      if (!records) {
        const hasDescendant = Object.keys(current).some((owner) => owner.endsWith(`.${name}`));
        if (hops === 0 && !hasDescendant) return { ...response, flags: (response.flags ?? 0) | RCODE_NXDOMAIN };
        return response;
      }
      if (records.CNAME && question.type !== 'CNAME') {
        response.answers?.push(...answersFor(name, 'CNAME', records));
        name = normalise(records.CNAME);
        continue;
      }
      response.answers?.push(...answersFor(name, question.type, records));
      return response;
    }
    return response;
  };

  const onUdpMessage =
    (udp: dgram.Socket) =>
    (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
      let query: dnsPacket.DecodedPacket;
      try {
        query = dnsPacket.decode(msg);
      } catch {
        return;
      }
      const response = respond(query, 'udp');
      if (!response) return;
      let out = dnsPacket.encode(response);
      if (out.length > udpSizeLimit) {
        out = dnsPacket.encode({ ...response, answers: [], flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
      }
      udp.send(out, rinfo.port, rinfo.address);
    };

  const sockets = new Set<net.Socket>();
  const onTcpConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        let query: dnsPacket.DecodedPacket;
        try {
          query = dnsPacket.decode(message);
        } catch {
          socket.destroy();
          return;
        }
        const response = respond(query, 'tcp');
        if (response) socket.write(dnsPacket.streamEncode(response));
      }
    });
  };

  // UDP takes a free port first; TCP then needs the same number, which another
  // process may hold: retry with a new port rather than fail (or leak the UDP socket).
  let bound: { udp: dgram.Socket; tcp: net.Server; port: number } | undefined;
  for (let attempt = 0; attempt < 20 && !bound; attempt += 1) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', onUdpMessage(udp));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve());
    });
    const port = udp.address().port;
    const tcp = net.createServer(onTcpConnection);
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (listening) bound = { udp, tcp, port };
    else await new Promise<void>((resolve) => udp.close(() => resolve()));
  }
  if (!bound) throw new Error('no free port for both UDP and TCP on 127.0.0.1');
  const { udp, tcp, port } = bound;

  return {
    port,
    server: `127.0.0.1:${port}`,
    queries,
    setZone(next: TestZone) {
      current = normaliseZone(next);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
    },
  };
}

function normaliseZone(zone: TestZone): TestZone {
  const out: TestZone = {};
  for (const [name, records] of Object.entries(zone)) out[normalise(name)] = records;
  return out;
}
