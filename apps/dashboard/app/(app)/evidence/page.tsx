import { ACTION_TYPES, ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ApiResult } from '../../../src/api/api-client.util';
import type { RunRow } from '../../../src/api/api-shapes.schema';
import { getLatestCheckpoint, listActions, listRuns, type ServiceContext } from '../../../src/api/service-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { Time } from '../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../src/shell/api-problem';

export const metadata: Metadata = { title: 'Evidence' };

/** The evidence ledger: the newest signed checkpoint, and how anyone can check it. */
export default async function EvidencePage() {
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.evidenceRead)) {
    return (
      <>
        <h1>Evidence</h1>
        <NotAllowed needs="evidence.read" />
      </>
    );
  }
  const ctx = serviceContext(token);
  const [result, selfAudit] = await Promise.all([
    getLatestCheckpoint(ctx).then(redirectIfUnauthorized),
    can(who.entitlements, ENTITLEMENTS.actionsRead) ? lastSelfAudit(ctx) : null,
  ]);
  return (
    <>
      <h1>Evidence</h1>
      <p className="lede">
        Every stored event, run and check result is a leaf of an append-only Merkle tree (RFC 6962). A signed checkpoint commits to
        the tree&apos;s size and root; anyone holding it can prove that nothing before it was changed, removed or reordered.{' '}
        <Link href="/evidence/verify">How a third party verifies our evidence</Link>.
      </p>
      {selfAudit && <SelfAudit result={selfAudit} />}
      {!result.ok ? (
        <ApiProblem failure={result} what="latest checkpoint" />
      ) : (
        <section aria-labelledby="checkpoint-heading" className="section">
          <h2 id="checkpoint-heading">Latest checkpoint</h2>
          <dl className="facts">
            <div>
              <dt>Tree size</dt>
              <dd data-testid="tree-size">{Number(result.data.tree_size).toLocaleString('en')} entries</dd>
            </div>
            <div>
              <dt>Signed at</dt>
              <dd>
                <Time iso={result.data.created_at} />
              </dd>
            </div>
            <div>
              <dt>Key</dt>
              <dd>
                <code>{result.data.key_id || '—'}</code>
              </dd>
            </div>
            <div>
              <dt>Timestamp</dt>
              <dd>{result.data.timestamp_kind === 'rfc3161' ? 'RFC 3161 timestamp authority' : 'local signed timestamp'}</dd>
            </div>
            <div>
              <dt>Root hash</dt>
              <dd>
                <code>{result.data.root_hash}</code>
              </dd>
            </div>
          </dl>
          <h3>Signed note</h3>
          <p className="muted">The exact text that was signed (C2SP signed-note format): origin, tree size, root hash, then signatures.</p>
          <pre className="note" data-testid="checkpoint-note" tabIndex={0}>
            {result.data.note}
          </pre>
        </section>
      )}
    </>
  );
}

/** The newest run of the platform's own `evidence_verify` action (the self-audit), if there is one. */
async function lastSelfAudit(ctx: ServiceContext): Promise<ApiResult<RunRow | null>> {
  const actions = redirectIfUnauthorized(await listActions(ctx));
  if (!actions.ok) return actions;
  const verify = actions.data.find((action) => action.action_type === ACTION_TYPES.evidenceVerify);
  if (!verify) return { ok: true, status: 200, data: null };
  const runs = redirectIfUnauthorized(await listRuns(ctx, { action_id: verify.id, limit: 1 }));
  return runs.ok ? { ok: true, status: runs.status, data: runs.data.items[0] ?? null } : runs;
}

function SelfAudit({ result }: { result: ApiResult<RunRow | null> }) {
  return (
    <section aria-labelledby="self-audit-heading" className="section">
      <h2 id="self-audit-heading">Last self-audit</h2>
      {!result.ok ? (
        <ApiProblem failure={result} what="self-audit history" />
      ) : result.data === null ? (
        <p className="muted" data-testid="self-audit">
          No <code>evidence_verify</code> run yet. The platform verifies its own ledger on a schedule once that action exists.
        </p>
      ) : (
        <p data-testid="self-audit">
          <span className={`pill pill-${result.data.status}`}>{result.data.status}</span> {result.data.message}{' '}
          <span className="muted">
            (<Time iso={result.data.started_at} />, <Link href={`/runs/${encodeURIComponent(result.data.id)}`}>details</Link>)
          </span>
        </p>
      )}
    </section>
  );
}
