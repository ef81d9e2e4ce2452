import type { ApiFailure } from '../api/api-client.util';

const TITLES: Readonly<Record<ApiFailure['kind'], string>> = {
  unauthorized: 'Please sign in again',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  invalid: 'Refused',
  unreachable: 'Service unreachable',
  error: 'Something went wrong',
};

/**
 * A failed service call as a message: what happened and what to do, never a stack trace. The
 * service's problem `detail` is part of `failure.message` where it helps (not found, refused, not
 * allowed), and each failing field of a refused input is listed under it. `what` names the data
 * ("scorecard") in the not-found message.
 */
export function ApiProblem({ failure, what }: { readonly failure: ApiFailure; readonly what: string }) {
  const text = failure.kind === 'not-found' ? `The ${what} was not found: ${failure.message}` : failure.message;
  const tone = failure.kind === 'not-found' ? 'notice' : 'notice notice-error';
  return (
    <div className={tone} role={failure.kind === 'not-found' ? 'status' : 'alert'} data-testid="api-problem" data-kind={failure.kind}>
      <strong>{TITLES[failure.kind]}.</strong> {text}
      {failure.fieldErrors.length > 0 && (
        <ul data-testid="field-errors">
          {failure.fieldErrors.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Shown instead of a page the token may not read (its nav item is hidden too). */
export function NotAllowed({ needs }: { readonly needs: string }) {
  return (
    <div className="notice notice-error" role="alert" data-testid="not-allowed">
      <strong>Not allowed.</strong> Your token does not include <code>{needs}</code>. Ask an administrator for a token with it.
    </div>
  );
}
