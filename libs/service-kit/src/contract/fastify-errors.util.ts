import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { COMMON_ERRORS, PROBLEM_CONTENT_TYPE, problemType, type ProblemFieldError } from '@auditstack/audit-core';

/**
 * Problems for the errors Fastify and Node answer before a request reaches
 * Nest (so the ProblemFilter never sees them): a path that is not valid
 * percent-encoded UTF-8, a path segment beyond `maxParamLength`, and request
 * lines or headers beyond Node's limit. Without these, those answers were
 * Fastify's own `application/json` bodies.
 */

/**
 * Longest path parameter the router passes on (Fastify's default is 100):
 * above the longest parameter any contract accepts (identifiers up to 128,
 * names up to 200 characters, percent-encoded), so the contract — not the
 * router — refuses a long one, naming it.
 */
export const MAX_PATH_PARAM_LENGTH = 2048;

function problemBody(status: number, detail: string, errors: readonly ProblemFieldError[], instance?: string): string {
  const code = status >= 500 ? 'INTERNAL' : 'VALIDATION_FAILED';
  return JSON.stringify({
    type: problemType(code),
    title: COMMON_ERRORS[code].title,
    status,
    detail,
    ...(instance !== undefined ? { instance } : {}),
    code,
    ...(errors.length > 0 ? { errors } : {}),
  });
}

/**
 * Fastify's `frameworkErrors`: router-level errors as 400 problems naming the
 * path. `instance` is the raw path, as the ProblemFilter gives it, when it is
 * printable ASCII and at most 256 characters (it is attacker controlled).
 */
export function frameworkErrorsAsProblems(error: { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const [status, detail, rule] =
    error.code === 'FST_ERR_BAD_URL'
      ? [400, 'the request path is not valid percent-encoded UTF-8', 'must be valid percent-encoded UTF-8']
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [400, `a path segment is longer than ${MAX_PATH_PARAM_LENGTH} characters`, `must be at most ${MAX_PATH_PARAM_LENGTH} characters`]
        : [500, 'an internal error occurred; it has been logged', ''];
  const instance = (request.raw.url ?? '').split('?')[0]!.slice(0, 256);
  void reply
    .status(status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problemBody(status, detail, status === 400 ? [{ path: '', rule, in: 'path' }] : [], /^[\x21-\x7e]*$/.test(instance) ? instance : undefined));
}

/**
 * Fastify's `clientErrorHandler`: Node's parser refused the request (headers
 * or request line beyond its limit, malformed HTTP). Answers a problem on the
 * raw socket and closes it, as Node does.
 */
export function clientErrorsAsProblems(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, detail, errors]: [number, string, string, ProblemFieldError[]] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          'the request line and headers exceed the server limit (16 KB)',
          [{ path: '', rule: 'the request line and headers must not exceed 16 KB', in: 'header' }],
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request was not received in time', []]
        : [400, 'Bad Request', 'the request is not valid HTTP/1.1', [{ path: '', rule: 'must be a valid HTTP/1.1 request', in: 'header' }]];
  const body = problemBody(status, detail, errors);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
