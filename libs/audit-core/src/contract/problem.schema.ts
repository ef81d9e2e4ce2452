import { z } from 'zod';
import { formatIssuePath } from '../schemas/common.schema';

/**
 * RFC 9457 problem details: the one error body of every route of both
 * services, served as `application/problem+json`.
 */

/** Base of every problem `type` URI; the rest is the domain error code in kebab case. */
export const PROBLEM_TYPE_BASE = 'https://auditstack.dev/problems/';

/** The media type of every error answer (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `type` URI of a domain error code: `ACTION_NOT_FOUND` → `https://auditstack.dev/problems/action-not-found`. */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.toLowerCase().replace(/_/g, '-')}`;
}

/** One failing field: its path (`metadata.policy_id`, `items[2].ts`, `` for the whole body) and the rule it broke. */
export const ProblemFieldErrorSchema = z
  .object({
    path: z.string().meta({ description: 'Dotted path of the failing field; empty for the whole body or query.', example: 'metadata.policy_id' }),
    rule: z.string().meta({ description: 'The rule the value broke, without echoing the value.', example: 'required' }),
    /** Where the field is: `body`, `query`, `path` or `header`. */
    in: z.enum(['body', 'query', 'path', 'header']).optional(),
  })
  .meta({ id: 'ProblemFieldError', description: 'One failing field of a request.' });
export type ProblemFieldError = z.output<typeof ProblemFieldErrorSchema>;

/** An RFC 9457 problem document, with auditstack's `code` and `errors[]` extensions. */
export const ProblemSchema = z
  .object({
    type: z
      .string()
      .meta({ description: 'URI naming the problem type (stable per domain error code).', example: 'https://auditstack.dev/problems/validation-failed' }),
    title: z.string().meta({ description: 'Short, human-readable summary of the problem type.', example: 'Request validation failed' }),
    status: z.number().int().min(400).max(599).meta({ description: 'The HTTP status code.', example: 400 }),
    detail: z.string().optional().meta({ description: 'Explanation specific to this occurrence.', example: 'limit: must be an integer 1–500' }),
    instance: z.string().optional().meta({ description: 'The request path this problem occurred on.', example: '/v1/lifecycle-events' }),
    code: z.string().meta({ description: 'The domain error code (stable, machine-readable).', example: 'VALIDATION_FAILED' }),
    errors: z.array(ProblemFieldErrorSchema).optional().meta({ description: 'Each failing field with its rule (validation problems).' }),
    retry_after_seconds: z.number().int().positive().optional().meta({ description: 'Seconds to wait before retrying (also sent as Retry-After).' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });
export type Problem = z.output<typeof ProblemSchema>;

/** Splits an audit-core issue message (`path: rule`) into its field path and rule. */
export function fieldErrorFromMessage(message: string, where?: ProblemFieldError['in']): ProblemFieldError {
  const at = message.indexOf(': ');
  const base = at > 0 && !/\s/.test(message.slice(0, at)) ? { path: message.slice(0, at), rule: message.slice(at + 2) } : { path: '', rule: message };
  return where ? { ...base, in: where } : base;
}

/** Field errors of a failed zod parse: one per issue, each naming its path and rule. */
export function fieldErrorsFromZod(error: z.ZodError, where?: ProblemFieldError['in']): ProblemFieldError[] {
  return error.issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    const rule = path !== '' && issue.message.startsWith(`${path}: `) ? issue.message.slice(path.length + 2) : issue.message;
    return where ? { path, rule, in: where } : { path, rule };
  });
}
