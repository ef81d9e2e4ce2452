import { EVIDENCE_ERROR_CODES, EvidenceError, type EvidenceErrorCode, isEvidenceError } from './evidence.error';
import * as evidence from './index';

/** The exhaustive mapping an app's exception filter writes; fails to compile when a code is added without a case. */
function httpStatus(code: EvidenceErrorCode): number {
  switch (code) {
    case 'MALFORMED_INPUT':
    case 'PROOF_INVALID':
      return 400;
    case 'KEY_FILE_INVALID':
    case 'TSA_ERROR':
    case 'HEAD_INVALID':
    case 'TRUST_ROOT_MISSING':
    case 'KEY_NOT_TRUSTED':
      return 503;
    case 'CHAIN_BROKEN':
    case 'LEAF_MISMATCH':
    case 'PAYLOAD_MISMATCH':
    case 'ROW_WITHOUT_LEAF':
    case 'LEAF_WITHOUT_ROW':
    case 'SEQUENCE_GAP':
    case 'ROOT_MISMATCH':
    case 'CHECKPOINT_CHAIN_BROKEN':
    case 'INCONSISTENT_CHECKPOINTS':
    case 'SIGNATURE_INVALID':
    case 'UNKNOWN_KEY':
    case 'TIMESTAMP_INVALID':
    case 'UNCOVERED_TAIL':
    case 'ANCHOR_MISSING':
    case 'ANCHOR_INCONSISTENT':
    case 'CADENCE_VIOLATION':
    case 'ANCHOR_TRUNCATED':
    case 'RETENTION_VIOLATION':
    case 'RESULT_MISMATCH':
    case 'CONFIG_MISMATCH':
      return 409;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

describe('EvidenceError', () => {
  it('carries its code and location and narrows with isEvidenceError', () => {
    const err: unknown = new EvidenceError('SEQUENCE_GAP', 'expected 3, found 4', { seq: 3 });
    expect(isEvidenceError(err, 'SEQUENCE_GAP')).toBe(true);
    expect(isEvidenceError(err, 'CHAIN_BROKEN')).toBe(false);
    expect(err).toMatchObject({ code: 'SEQUENCE_GAP', location: { seq: 3 }, message: 'SEQUENCE_GAP: expected 3, found 4' });
  });

  it('every code maps to a status', () => {
    expect(EVIDENCE_ERROR_CODES.map(httpStatus).every((s) => s >= 400)).toBe(true);
    expect(new Set(EVIDENCE_ERROR_CODES).size).toBe(EVIDENCE_ERROR_CODES.length);
  });

  it('the public index exposes the main entry points', () => {
    expect(typeof evidence.verifyEvidence).toBe('function');
    expect(typeof evidence.LedgerWriter).toBe('function');
    expect(typeof evidence.Rfc3161Stamper).toBe('function');
  });
});
