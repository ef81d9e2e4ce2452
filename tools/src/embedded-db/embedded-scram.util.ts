import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** SCRAM-SHA-256 iteration count (PostgreSQL's default `scram_iterations`). */
const ITERATIONS = 4096;

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

/** What the server keeps of a password (RFC 5802 §3): never the password itself. */
export interface ScramVerifier {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): ScramVerifier {
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256');
  return { salt, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** Thrown for any malformed or failed exchange; the message never contains client data. */
export class ScramError extends Error {}

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 / RFC 7677), as
 * PostgreSQL speaks it: no channel binding (`n,,` or `y,,`), the user name
 * comes from the StartupMessage (the SCRAM `n=` attribute is ignored).
 */
export class ScramServerExchange {
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';

  constructor(private readonly verifier: ScramVerifier) {}

  /** client-first-message → server-first-message. */
  first(clientFirst: string): string {
    const match = /^([ny]),(a=[^,]*)?,(n=[^,]*,r=([\x21-\x2b\x2d-\x7e]+)(,.*)?)$/.exec(clientFirst);
    if (!match) throw new ScramError('malformed SCRAM client-first-message (channel binding is not supported)');
    this.gs2Header = `${match[1]},${match[2] ?? ''},`;
    this.clientFirstBare = match[3]!;
    this.nonce = match[4]! + randomBytes(18).toString('base64');
    this.serverFirst = `r=${this.nonce},s=${this.verifier.salt.toString('base64')},i=${ITERATIONS}`;
    return this.serverFirst;
  }

  /** client-final-message → server-final-message; throws when the proof is wrong. */
  final(clientFinal: string): string {
    const at = clientFinal.lastIndexOf(',p=');
    if (at < 0 || !this.serverFirst) throw new ScramError('malformed SCRAM client-final-message');
    const withoutProof = clientFinal.slice(0, at);
    const proof = Buffer.from(clientFinal.slice(at + 3), 'base64');
    const fields = withoutProof.split(',');
    if (fields[0] !== `c=${Buffer.from(this.gs2Header).toString('base64')}` || fields[1] !== `r=${this.nonce}`) {
      throw new ScramError('SCRAM channel binding or nonce mismatch');
    }
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const signature = hmac(this.verifier.storedKey, authMessage);
    if (proof.length !== signature.length) throw new ScramError('SCRAM proof has the wrong length');
    const clientKey = Buffer.alloc(signature.length);
    for (let i = 0; i < signature.length; i++) clientKey[i] = proof[i]! ^ signature[i]!;
    if (!timingSafeEqual(sha256(clientKey), this.verifier.storedKey)) throw new ScramError('password authentication failed');
    return `v=${hmac(this.verifier.serverKey, authMessage).toString('base64')}`;
  }
}
