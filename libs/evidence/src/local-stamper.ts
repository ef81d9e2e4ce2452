import { EvidenceError } from './evidence.error';
import { HASH_SIZE, canonicalJson } from './hash.util';
import { NoteKeyring, type NoteSigner, verifyNoteSignature } from './signed-note';
import type { Stamper, TimestampToken, TimestampVerification } from './stamper';

const STATEMENT_TYPE = 'auditstack/local-timestamp/v1';
const MAX_TOKEN_SIZE = 4096;

/** Options of {@link LocalStamper}. */
export interface LocalStamperOptions {
  /** Key that signs statements; required to stamp. */
  readonly signer?: NoteSigner;
  /** Keys trusted to verify statements. @defaultValue the signer's own key */
  readonly keyring?: NoteKeyring;
  /** Clock. @defaultValue `() => new Date()` */
  readonly now?: () => Date;
}

/**
 * Default stamper: an Ed25519-signed statement binding a digest to the local
 * time. The token is the canonical JSON
 * `{ digest, key, sig, time, type }` where `sig` (base64) is the Ed25519
 * signature over the canonical JSON `{ digest, time, type }` (digest lowercase
 * hex, time ISO-8601 UTC) and `key` is `name+hex(keyid)` of a note key. It
 * proves only what the local clock said: use RFC 3161 for third-party time.
 */
export class LocalStamper implements Stamper {
  readonly kind = 'local';
  private readonly keyring: NoteKeyring;
  private readonly now: () => Date;

  constructor(private readonly opts: LocalStamperOptions) {
    if (!opts.keyring && !opts.signer) throw new EvidenceError('MALFORMED_INPUT', 'LocalStamper needs a signer or a keyring');
    this.keyring = opts.keyring ?? new NoteKeyring([{ key: opts.signer! }]);
    this.now = opts.now ?? (() => new Date());
  }

  /** Signs `{ digest, time }` with the configured key. */
  async stamp(digest: Buffer): Promise<TimestampToken> {
    const signer = this.opts.signer;
    if (!signer) throw new EvidenceError('MALFORMED_INPUT', 'LocalStamper has no signer');
    if (digest.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'digest must be 32 bytes');
    const statement = { digest: digest.toString('hex'), time: this.now().toISOString(), type: STATEMENT_TYPE };
    const sig = signer.sign(Buffer.from(canonicalJson(statement), 'utf8'));
    const key = `${signer.name}+${signer.keyId.toString(16).padStart(8, '0')}`;
    return { kind: this.kind, token: Buffer.from(canonicalJson({ ...statement, key, sig: sig.toString('base64') }), 'utf8') };
  }

  /** Checks shape, digest, key trust and window, and signature of a stored token. */
  async verify(digest: Buffer, token: Buffer): Promise<TimestampVerification> {
    const bad = (why: string): EvidenceError => new EvidenceError('TIMESTAMP_INVALID', `local timestamp: ${why}`);
    if (token.length > MAX_TOKEN_SIZE) throw bad('token too large');
    let parsed: unknown;
    try {
      parsed = JSON.parse(token.toString('utf8'));
    } catch {
      throw bad('token is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad('token is not an object');
    const t = parsed as Record<string, unknown>;
    if (Object.keys(t).sort().join(',') !== 'digest,key,sig,time,type') throw bad('unexpected fields');
    const { digest: d, key, sig, time, type } = t;
    if (type !== STATEMENT_TYPE || typeof d !== 'string' || typeof key !== 'string' || typeof sig !== 'string' || typeof time !== 'string') {
      throw bad('wrong field types');
    }
    if (d !== digest.toString('hex')) throw bad('digest does not match');
    const at = new Date(time);
    if (Number.isNaN(at.getTime()) || at.toISOString() !== time) throw bad('time is not ISO-8601 UTC');
    const m = /^([^+\s]+)\+([0-9a-f]{8})$/.exec(key);
    const entry = m ? this.keyring.lookup(m[1]!, parseInt(m[2]!, 16)) : undefined;
    if (!entry) throw bad(`key ${key} is not trusted`);
    if ((entry.notBefore && at < entry.notBefore) || (entry.notAfter && at > entry.notAfter)) throw bad(`key ${key} not valid at ${time}`);
    const message = canonicalJson({ digest: d, time, type });
    if (!verifyNoteSignature(entry.key, message, Buffer.from(sig, 'base64'))) throw bad('signature does not verify');
    return { time: at };
  }
}
