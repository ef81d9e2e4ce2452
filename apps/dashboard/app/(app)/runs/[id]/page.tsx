import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ApiResult } from '../../../../src/api/api-client.util';
import type { LedgerEntryAnswer } from '../../../../src/api/api-views.util';
import { getLedgerEntry, getRun } from '../../../../src/api/service-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { Time } from '../../../../src/components/time';
import { VerifyInclusion } from '../../../../src/evidence/verify-inclusion';
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
  const ctx = serviceContext(token);
  const result = redirectIfUnauthorized(await getRun(ctx, id));
  const seq = result.ok ? result.data.ledger_seq : null;
  const canEvidence = can(who.entitlements, ENTITLEMENTS.evidenceRead);
  const ledger = seq !== null && canEvidence ? redirectIfUnauthorized(await getLedgerEntry(ctx, seq)) : null;
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
          <LedgerSection seq={seq} ledger={ledger} canEvidence={canEvidence} />
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

/** Where the run sits in the evidence ledger, the checkpoint covering it, and the in-browser check. */
function LedgerSection({ seq, ledger, canEvidence }: { seq: number | null; ledger: ApiResult<LedgerEntryAnswer> | null; canEvidence: boolean }) {
  return (
    <section aria-labelledby="ledger-heading" className="section">
      <h2 id="ledger-heading">Evidence ledger</h2>
      {seq === null ? (
        <p className="muted" data-testid="ledger-entry">
          This run has no ledger entry yet.
        </p>
      ) : !canEvidence ? (
        <p className="muted" data-testid="ledger-entry">
          Ledger entry {seq}. Your token does not include <code>evidence.read</code>, so its proof cannot be shown.
        </p>
      ) : ledger && !ledger.ok ? (
        <ApiProblem failure={ledger} what="ledger entry" />
      ) : ledger ? (
        <>
          <dl className="facts" data-testid="ledger-entry">
            <div>
              <dt>Sequence</dt>
              <dd data-testid="ledger-entry-seq">{ledger.data.entry.seq}</dd>
            </div>
            <div>
              <dt>Leaf hash</dt>
              <dd>
                <code className="hash" data-testid="leaf-hash">
                  {ledger.data.entry.leaf_hash}
                </code>
              </dd>
            </div>
            <div>
              <dt>Covered by</dt>
              <dd data-testid="covering-checkpoint">
                {ledger.data.checkpoint ? (
                  <>
                    checkpoint of {ledger.data.checkpoint.tree_size.toLocaleString('en')} entries, signed <Time iso={ledger.data.checkpoint.created_at} />
                  </>
                ) : (
                  'no checkpoint yet: the next one will cover it'
                )}
              </dd>
            </div>
          </dl>
          <VerifyInclusion seq={ledger.data.entry.seq} leafHash={ledger.data.entry.leaf_hash} />
        </>
      ) : null}
    </section>
  );
}
