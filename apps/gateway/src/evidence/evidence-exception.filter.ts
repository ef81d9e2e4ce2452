import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { EvidenceError } from '@auditstack/evidence';
import { EvidenceStoreError, type EvidenceStoreErrorCode } from '@auditstack/evidence-store';

function storeStatus(code: EvidenceStoreErrorCode): number {
  switch (code) {
    case 'NOT_FOUND':
      return HttpStatus.NOT_FOUND;
    case 'NOT_COVERED':
      return HttpStatus.CONFLICT;
    case 'INVALID_ARGUMENT':
    case 'BUNDLE_INVALID':
      return HttpStatus.BAD_REQUEST;
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * Maps the evidence libraries' coded errors to HTTP in one place: a request
 * for something that does not exist → 404, not yet covered by a checkpoint →
 * 409, a bad argument → 400; an `EvidenceError` (e.g. `PROOF_INVALID`: the
 * stored ledger no longer proves what was signed) is a 500 carrying its code,
 * because the server cannot give a valid answer.
 */
@Catch(EvidenceStoreError, EvidenceError)
export class EvidenceExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Evidence');

  catch(error: EvidenceStoreError | EvidenceError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = error instanceof EvidenceStoreError ? storeStatus(error.code) : error.code === 'MALFORMED_INPUT' ? HttpStatus.BAD_REQUEST : HttpStatus.INTERNAL_SERVER_ERROR;
    if (status >= 500) this.logger.error(`${error.code}: ${error.message}`);
    void reply.status(status).send({ statusCode: status, code: error.code, message: error.message });
  }
}
