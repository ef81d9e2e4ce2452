import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getRun } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { Time } from '../../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';

export const metadata: Metadata = { title: 'Run' };

/** One run: outcome, timing, its output (per-check results and evidence) and its ledger position. */
export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.actionsRead)) {
    return (
      <>
        <h1>Run</h1>
        <NotAllowed needs="actions.read" />
      </>
    );
  }
  const result = redirectIfUnauthorized(await getRun(serviceContext(token), id));
  return (
    <>
      <p>
        <Link href="/runs">← Runs</Link>
      </p>
      <h1>Run</h1>
      {!result.ok ? (
        <ApiProblem failure={result} what="run" />
      ) : (
        <>
          <dl className="facts">
            <div>
              <dt>Result</dt>
              <dd>
                <span className={`pill pill-${result.data.status}`}>{result.data.status}</span> {result.data.message}
              </dd>
            </div>
            <div>
              <dt>Type and trigger</dt>
              <dd>
                <code>{result.data.action_type}</code>, {result.data.trigger}
              </dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>
                <Time iso={result.data.started_at} />
              </dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{result.data.duration_ms === null ? '—' : `${result.data.duration_ms} ms`}</dd>
            </div>
            <div>
              <dt>Ledger entry</dt>
              <dd data-testid="ledger-seq">{result.data.ledger_seq === null ? 'not yet written' : `seq ${result.data.ledger_seq}`}</dd>
            </div>
          </dl>
          <h2>Output</h2>
          <p className="muted">Per-check results and the evidence collected, exactly as stored and covered by the ledger.</p>
          <pre className="note" tabIndex={0} data-testid="run-output">
            {JSON.stringify(result.data.output, null, 2)}
          </pre>
        </>
      )}
    </>
  );
}
