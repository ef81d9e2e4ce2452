import { Logger } from '@nestjs/common';
import { DomainError } from '@auditstack/audit-core';
import { EvidenceError } from '@auditstack/evidence';
import { EvidenceStoreError, type EvidenceStoreErrorCode } from '@auditstack/evidence-store';
import type { GatewayErrorCode } from '../gateway.errors';

const logger = new Logger('Evidence');

function storeCode(code: EvidenceStoreErrorCode): GatewayErrorCode {
  switch (code) {
    case 'NOT_FOUND':
      return 'EVIDENCE_NOT_FOUND';
    case 'NOT_COVERED':
      return 'EVIDENCE_NOT_COVERED';
    case 'INVALID_ARGUMENT':
    case 'BUNDLE_INVALID':
      return 'EVIDENCE_INVALID_ARGUMENT';
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * The evidence libraries' coded errors as gateway domain errors, in one
 * place: something that does not exist → 404, not yet covered by a checkpoint
 * → 409, a bad argument → 400; an `EvidenceError` (e.g. `PROOF_INVALID`: the
 * stored ledger no longer proves what was signed) is a logged 500 carrying its
 * code, because the server cannot give a valid answer. Anything else is rethrown.
 */
export function toEvidenceDomainError(error: unknown): unknown {
  if (error instanceof EvidenceStoreError) {
    // A bad argument names its query parameter, like every other 400.
    const errors = error.argument ? [{ path: error.argument.name, rule: error.argument.rule, in: 'query' as const }] : undefined;
    return new DomainError<GatewayErrorCode>(storeCode(error.code), error.message, { errors, members: { evidence_code: error.code } });
  }
  if (error instanceof EvidenceError) {
    if (error.code === 'MALFORMED_INPUT')
      return new DomainError<GatewayErrorCode>('EVIDENCE_INVALID_ARGUMENT', error.message, { members: { evidence_code: error.code } });
    logger.error(`${error.code}: ${error.message}`);
    return new DomainError<GatewayErrorCode>('EVIDENCE_INCONSISTENT', `the stored evidence does not verify (${error.code}); the error is logged`, {
      members: { evidence_code: error.code },
    });
  }
  return error;
}

/** Runs an evidence read, answering its coded errors as gateway domain errors. */
export async function evidenceCall<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw toEvidenceDomainError(error);
  }
}
