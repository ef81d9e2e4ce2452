import { randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { EvidenceError } from './evidence.error';
import { HASH_SIZE, bytesEqual, sha256 } from './hash.util';
import type { Stamper, TimestampToken, TimestampVerification } from './stamper';

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_KP_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';
const MAX_RESPONSE_SIZE = 64 * 1024;

const engine = new pkijs.CryptoEngine({
  name: 'node-webcrypto',
  crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
});

/** Options of {@link Rfc3161Stamper}. */
export interface Rfc3161StamperOptions {
  /** TSA endpoint (HTTP POST, `application/timestamp-query`). */
  readonly url: string;
  /** PEM of the TSA's signing certificate; tokens must be signed by exactly this certificate. */
  readonly tsaCertificatePem: string;
  /** Request timeout in milliseconds. @defaultValue 10000 */
  readonly timeoutMs?: number;
}

function tsaError(message: string, cause?: unknown): EvidenceError {
  return new EvidenceError('TSA_ERROR', `RFC 3161: ${message}`, {}, { cause });
}

function invalid(message: string, cause?: unknown): EvidenceError {
  return new EvidenceError('TIMESTAMP_INVALID', `RFC 3161: ${message}`, {}, { cause });
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Parses one DER object that must span the whole input (no trailing bytes). */
function parseDer(bytes: Uint8Array, onError: (m: string) => EvidenceError): asn1js.AsnType {
  const parsed = asn1js.fromBER(toArrayBuffer(bytes));
  if (parsed.offset === -1 || parsed.offset !== bytes.length) throw onError('not a single DER object');
  return parsed.result;
}

function parseCertificatePem(pem: string): pkijs.Certificate {
  const m = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw tsaError('TSA certificate is not a PEM certificate');
  try {
    return new pkijs.Certificate({ schema: parseDer(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'), tsaError) });
  } catch (err) {
    throw err instanceof EvidenceError ? err : tsaError('TSA certificate does not parse', err);
  }
}

/** RFC 3161 §2.3: the TSA certificate MUST carry a critical extended key usage with only id-kp-timeStamping. */
function hasTimestampingEku(cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === OID_EXT_KEY_USAGE);
  const purposes = (ext?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  return ext?.critical === true && purposes.length === 1 && purposes[0] === OID_KP_TIMESTAMPING;
}

function certDer(cert: pkijs.Certificate): Buffer {
  return Buffer.from(cert.toSchema().toBER(false));
}

function octets(value: asn1js.OctetString): Buffer {
  // A BER constructed OCTET STRING is the concatenation of its parts.
  if (value.idBlock.isConstructed) {
    return Buffer.concat((value.valueBlock.value as asn1js.OctetString[]).map((v) => octets(v)));
  }
  return Buffer.from(value.valueBlock.valueHexView);
}

/**
 * Opt-in stamper backed by an RFC 3161 Time-Stamp Authority. It sends a
 * TimeStampReq (SHA-256 imprint, random nonce, certReq) and accepts the reply
 * only if the status is granted, the CMS SignedData signature verifies with the
 * configured TSA certificate, that certificate carries the critical
 * id-kp-timeStamping EKU and was valid at genTime, and the imprint and nonce
 * match. The stored token is the DER TimeStampToken (CMS ContentInfo), which
 * `openssl ts -verify -token_in` also accepts.
 *
 * What is time-stamped is the 32-byte digest itself as the data: the message
 * imprint is SHA-256(digest). So a third party checks a checkpoint with
 * `openssl ts -verify -data <file holding the 32 raw checkpoint-hash bytes>`
 * (or `-digest <hex of SHA-256(checkpoint hash)>`).
 */
export class Rfc3161Stamper implements Stamper {
  readonly kind = 'rfc3161';
  private readonly cert: pkijs.Certificate;

  /** @throws EvidenceError `TSA_ERROR` when the certificate is unusable for time-stamping. */
  constructor(private readonly opts: Rfc3161StamperOptions) {
    this.cert = parseCertificatePem(opts.tsaCertificatePem);
    if (!hasTimestampingEku(this.cert)) throw tsaError('TSA certificate lacks the critical id-kp-timeStamping extended key usage');
  }

  /** Requests a token for `digest` from the TSA and verifies it before returning it. */
  async stamp(digest: Buffer): Promise<TimestampToken> {
    if (digest.length !== HASH_SIZE) throw new EvidenceError('MALFORMED_INPUT', 'digest must be 32 bytes');
    const nonce = randomBytes(8);
    nonce[0] = 0x40 | (nonce[0]! & 0x3f); // positive, minimal DER INTEGER
    const req = new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 }),
        hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(digest)) }),
      }),
      nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
      certReq: true,
    });
    let body: Buffer;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: Buffer.from(req.toSchema().toBER(false)),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
      if (!res.ok) throw tsaError(`TSA answered HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw err instanceof EvidenceError ? err : tsaError(`request failed: ${(err as Error).message}`, err);
    }
    // The reply is attacker-controlled (network): bounded and parsed strictly.
    if (body.length > MAX_RESPONSE_SIZE) throw tsaError('response too large');
    let resp: pkijs.TimeStampResp;
    try {
      resp = new pkijs.TimeStampResp({ schema: parseDer(body, tsaError) });
    } catch (err) {
      throw err instanceof EvidenceError ? err : tsaError('response does not parse', err);
    }
    const status = resp.status.status;
    if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) throw tsaError(`TSA refused: status ${status}`);
    if (!resp.timeStampToken) throw tsaError('granted response without a token');
    const token = Buffer.from(resp.timeStampToken.toSchema().toBER(false));
    await this.check(digest, token, nonce);
    return { kind: this.kind, token };
  }

  /** Re-checks a stored token against `digest` (nonce is not re-checkable later). */
  async verify(digest: Buffer, token: Buffer): Promise<TimestampVerification> {
    return this.check(digest, token, null);
  }

  private async check(digest: Buffer, token: Buffer, nonce: Buffer | null): Promise<TimestampVerification> {
    let signed: pkijs.SignedData;
    let tst: pkijs.TSTInfo;
    try {
      const ci = new pkijs.ContentInfo({ schema: parseDer(token, invalid) });
      if (ci.contentType !== OID_SIGNED_DATA) throw invalid('token is not CMS SignedData');
      signed = new pkijs.SignedData({ schema: ci.content });
      if (signed.encapContentInfo.eContentType !== OID_CT_TSTINFO || !signed.encapContentInfo.eContent) {
        throw invalid('SignedData does not carry a TSTInfo');
      }
      tst = new pkijs.TSTInfo({ schema: parseDer(octets(signed.encapContentInfo.eContent), invalid) });
    } catch (err) {
      throw err instanceof EvidenceError ? err : invalid('token does not parse', err);
    }
    if (signed.signerInfos.length !== 1) throw invalid('token must have exactly one signer');
    if (tst.messageImprint.hashAlgorithm.algorithmId !== OID_SHA256) throw invalid('imprint is not SHA-256');
    if (!bytesEqual(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView), sha256(digest))) {
      throw invalid('message imprint does not match the digest');
    }
    if (nonce) {
      const got = tst.nonce ? Buffer.from(tst.nonce.valueBlock.valueHexView) : null;
      if (!got || !bytesEqual(got, nonce)) throw invalid('nonce does not match the request');
    }
    let result: pkijs.SignedDataVerifyResult;
    try {
      // pkijs re-checks the TSTInfo imprint against `data` (the digest) and the signed attributes' message digest.
      result = await signed.verify({ signer: 0, data: toArrayBuffer(digest), trustedCerts: [this.cert], checkChain: false, extendedMode: true }, engine);
    } catch (err) {
      throw invalid(`CMS signature does not verify: ${(err as Error).message ?? String(err)}`, err);
    }
    if (!result.signatureVerified) throw invalid('CMS signature does not verify');
    const signer = result.signerCertificate;
    if (!signer || !certDer(signer).equals(certDer(this.cert))) throw invalid('token is not signed by the configured TSA certificate');
    if (!hasTimestampingEku(signer)) throw invalid('signer certificate lacks the id-kp-timeStamping EKU');
    const genTime = tst.genTime;
    if (genTime < signer.notBefore.value || genTime > signer.notAfter.value) throw invalid('genTime outside the TSA certificate validity');
    return { time: genTime };
  }
}
