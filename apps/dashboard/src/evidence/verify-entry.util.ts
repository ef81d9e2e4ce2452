import { bytesToHex, hexToBytes, ProofError, rootFromInclusionProof, equalBytes, webCryptoSha256 } from './inclusion-proof.util';
import { parseCheckpointBody, parseNote, parseVerifierKey, verifyNoteSignature, type SignatureCheck } from './signed-note.util';

/** A checkpoint as the gateway serves it (`GET /v1/evidence/checkpoints` items). */
export interface CheckpointInput {
  readonly tree_size: number;
  readonly note: string;
}

/** An inclusion proof as the gateway serves it (`GET /v1/evidence/proofs/inclusion/:seq`). */
export interface InclusionProofInput {
  readonly seq: number;
  readonly tree_size: number;
  readonly leaf_hash: string;
  readonly proof: readonly string[];
}

export interface VerifyEntryInput {
  /** The entry's zero-based position in the ledger (the run's `ledger_seq`). */
  readonly seq: number;
  /** Its leaf hash as shown on the page (from the ledger entry), when known. */
  readonly expectedLeafHash?: string | null;
  readonly checkpoint: CheckpointInput;
  /** The log's public key `name+keyid+base64`, as served with the checkpoints. */
  readonly verifierKey: string | null;
  readonly proof: InclusionProofInput;
}

/** One line of the report: `ok` null means "could not be checked here" (said in `detail`). */
export interface VerifyStep {
  readonly label: string;
  readonly ok: boolean | null;
  readonly detail: string;
}

export interface VerifyEntryReport {
  readonly ok: boolean;
  readonly signature: SignatureCheck | 'not-checked';
  readonly steps: readonly VerifyStep[];
  /** The root recomputed from the proof (hex), when the proof could be evaluated. */
  readonly computedRoot: string | null;
}

/**
 * Checks, in the browser, that ledger entry `seq` is included in the signed checkpoint:
 * the note's signature (Ed25519 over the note text, when WebCrypto has Ed25519), the note's own
 * tree size and root (read from the signed text, not from a separate JSON field), and the RFC 6962
 * inclusion proof recomputed to that root. Every input is server data: nothing is assumed.
 */
export async function verifyEntryInclusion(input: VerifyEntryInput, subtle: SubtleCrypto = globalThis.crypto.subtle): Promise<VerifyEntryReport> {
  const sha256 = webCryptoSha256(subtle);
  const steps: VerifyStep[] = [];
  const fail = (label: string, detail: string, signature: VerifyEntryReport['signature'] = 'not-checked'): VerifyEntryReport => ({
    ok: false,
    signature,
    steps: [...steps, { label, ok: false, detail }],
    computedRoot: null,
  });

  const note = parseNote(input.checkpoint.note);
  const body = note ? parseCheckpointBody(note.text) : null;
  if (!note || !body) return fail('Checkpoint note', 'the checkpoint is not a well-formed signed note');
  if (body.treeSize !== input.checkpoint.tree_size) {
    return fail('Checkpoint note', `the signed text says ${body.treeSize} leaves, the service says ${input.checkpoint.tree_size}`);
  }
  steps.push({ label: 'Checkpoint note', ok: true, detail: `${body.origin}, ${body.treeSize} leaves, root ${bytesToHex(body.rootHash)}` });

  let signature: SignatureCheck | 'not-checked' = 'not-checked';
  const key = input.verifierKey ? await parseVerifierKey(sha256, input.verifierKey) : null;
  if (!key) {
    steps.push({ label: 'Signature', ok: null, detail: 'no valid verifier key was served, so the signature was not checked' });
  } else {
    signature = await verifyNoteSignature(subtle, key, note);
    if (signature === 'invalid') return fail('Signature', `the Ed25519 signature of ${key.name} does not match the note text`, signature);
    if (signature === 'no-signature-by-key') return fail('Signature', `the note carries no signature by ${key.name}`, signature);
    steps.push(
      signature === 'valid'
        ? {
            label: 'Signature',
            ok: true,
            detail: `Ed25519 signature by ${key.name} (key id ${key.keyId.toString(16).padStart(8, '0')}) verified in this browser`,
          }
        : { label: 'Signature', ok: null, detail: 'this browser has no WebCrypto Ed25519: the root was checked against the note as served by the gateway' },
    );
  }

  if (input.proof.seq !== input.seq || input.proof.tree_size !== body.treeSize) {
    return fail('Proof', `the proof is for entry ${input.proof.seq} in ${input.proof.tree_size} leaves, not entry ${input.seq} in ${body.treeSize}`, signature);
  }
  if (input.seq >= body.treeSize) return fail('Proof', `entry ${input.seq} is not covered by this checkpoint (${body.treeSize} leaves)`, signature);
  if (input.expectedLeafHash && input.expectedLeafHash.toLowerCase() !== input.proof.leaf_hash.toLowerCase()) {
    return fail('Leaf', 'the proof is for a different leaf hash than the ledger entry shown', signature);
  }
  let computed: Uint8Array;
  try {
    computed = await rootFromInclusionProof(
      sha256,
      input.seq,
      body.treeSize,
      hexToBytes(input.proof.leaf_hash, 32),
      input.proof.proof.map((h) => hexToBytes(h, 32)),
    );
  } catch (error) {
    return fail('Proof', error instanceof ProofError ? error.message : 'the proof could not be evaluated', signature);
  }
  const computedRoot = bytesToHex(computed);
  if (!equalBytes(computed, body.rootHash)) {
    return {
      ok: false,
      signature,
      steps: [...steps, { label: 'Inclusion', ok: false, detail: `the proof leads to root ${computedRoot}, not the signed root` }],
      computedRoot,
    };
  }
  steps.push({
    label: 'Inclusion',
    ok: true,
    detail: `${input.proof.proof.length} proof hashes lead from leaf ${input.proof.leaf_hash.slice(0, 16)}… to the signed root`,
  });
  return { ok: true, signature, steps, computedRoot };
}
