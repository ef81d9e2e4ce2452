import type { ReactNode } from 'react';
import type { ApiFailure } from '../api/api-client.util';
import { ApiProblem } from '../shell/api-problem';

/** A workbook page whose workbook could not be read: not found (said plainly) or the service's problem. */
export function WorkbookUnavailable({
  back,
  title,
  name,
  failure,
}: {
  readonly back: ReactNode;
  readonly title: string;
  readonly name: string;
  readonly failure: ApiFailure;
}) {
  return (
    <>
      {back}
      <h1>{title}</h1>
      {failure.kind === 'not-found' ? (
        <p className="notice" role="status" data-testid="api-problem" data-kind="not-found">
          There is no workbook named <code>{name}</code> (or this engine does not offer workbooks yet).
        </p>
      ) : (
        <ApiProblem failure={failure} what="workbook" />
      )}
    </>
  );
}
