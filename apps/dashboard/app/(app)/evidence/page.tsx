import { ACTION_TYPES, ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ApiResult } from '../../../src/api/api-client.util';
import type { RunDetail } from '../../../src/api/api-views.util';
import type { CheckpointList, EvidenceStatus } from '../../../src/api/api-views.util';
import { getEvidenceStatus, getLatestCheckpoint, getRun, listActions, listCheckpoints, listRuns, type ServiceContext } from '../../../src/api/service-api.util';
import { can } from '../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../src/auth/session.util';
import { DataTable } from '../../../src/components/data-table';
import { Time } from '../../../src/components/time';
import { anchorStatusOf, formatSeconds, observedCadence } from '../../../src/evidence/evidence-status.util';
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
  const [result, recent, status, selfAudit] = await Promise.all([
    getLatestCheckpoint(ctx).then(redirectIfUnauthorized),
    listCheckpoints(ctx, { limit: 20 }).then(redirectIfUnauthorized),
    getEvidenceStatus(ctx).then(redirectIfUnauthorized),
    can(who.entitlements, ENTITLEMENTS.actionsRead) ? lastSelfAudit(ctx) : null,
  ]);
  return (
    <>
      <h1>Evidence</h1>
      <p className="lede">
        Every stored event, run and check result is a leaf of an append-only Merkle tree (RFC 6962). A signed checkpoint commits to the tree&apos;s size and
        root; anyone holding it can prove that nothing before it was changed, removed or reordered.{' '}
        <Link href="/evidence/verify">How to verify our evidence</Link>.
      </p>
      <LedgerNow status={status} />
      {selfAudit ? (
        <SelfAudit result={selfAudit} />
      ) : (
        <p className="muted" data-testid="self-audit">
          The self-audit result and anchor status come from the engine&apos;s runs, which need <code>actions.read</code>.
        </p>
      )}
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
      <Cadence recent={recent} configured={status.ok ? status.data.cadence : null} />
    </>
  );
}

/** The newest run of the platform's own `evidence_verify` action (the self-audit), with its output, if there is one. */
async function lastSelfAudit(ctx: ServiceContext): Promise<ApiResult<RunDetail | null>> {
  const actions = redirectIfUnauthorized(await listActions(ctx));
  if (!actions.ok) return actions;
  const verify = actions.data.find((action) => action.action_type === ACTION_TYPES.evidenceVerify);
  if (!verify) return { ok: true, status: 200, data: null };
  const runs = redirectIfUnauthorized(await listRuns(ctx, { action_id: verify.id, limit: 1 }));
  if (!runs.ok) return runs;
  const newest = runs.data.items[0];
  return newest ? redirectIfUnauthorized(await getRun(ctx, newest.id)) : { ok: true, status: runs.status, data: null };
}

/** The ledger right now and the anchor's last line, from the gateway's status endpoint. */
function LedgerNow({ status }: { status: ApiResult<EvidenceStatus> }) {
  if (!status.ok) return <ApiProblem failure={status} what="evidence status" />;
  const { ledger_size, uncovered_leaves, anchor } = status.data;
  return (
    <section aria-labelledby="ledger-now-heading" className="section">
      <h2 id="ledger-now-heading">Ledger now</h2>
      <dl className="facts">
        <div>
          <dt>Entries</dt>
          <dd data-testid="ledger-size">{ledger_size.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Not yet in a checkpoint</dt>
          <dd data-testid="uncovered">{uncovered_leaves.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Anchor</dt>
          <dd data-testid="anchor-file">
            {!anchor.present ? (
              'No anchor file yet (it is written with the first checkpoint).'
            ) : anchor.problem ? (
              `The anchor's last line cannot be read: ${anchor.problem}`
            ) : anchor.last === null ? (
              'The anchor file is empty.'
            ) : (
              <>
                last anchored checkpoint: {anchor.last.tree_size.toLocaleString('en')} entries, <Time iso={anchor.last.anchored_at} /> —{' '}
                {anchor.matches_latest_checkpoint ? 'matches the newest checkpoint' : 'differs from the newest checkpoint (run the self-audit)'}
              </>
            )}
          </dd>
        </div>
      </dl>
    </section>
  );
}

/**
 * Checkpoint cadence: the configured policy (from the gateway's status) and, what an auditor
 * checks anyway, the cadence observed in the last checkpoints.
 */
function Cadence({ recent, configured }: { recent: ApiResult<CheckpointList>; configured: EvidenceStatus['cadence'] | null }) {
  if (!recent.ok) return <ApiProblem failure={recent} what="checkpoint history" />;
  const cadence = observedCadence(recent.data.items);
  const rows = recent.data.items.map((item, i) => ({
    ...item,
    added: i + 1 < recent.data.items.length ? item.tree_size - recent.data.items[i + 1]!.tree_size : null,
  }));
  return (
    <section aria-labelledby="cadence-heading" className="section">
      <h2 id="cadence-heading">Checkpoint cadence</h2>
      <p className="muted" data-testid="cadence-configured">
        {configured
          ? `A checkpoint is signed every ${configured.every_leaves.toLocaleString('en')} new entries, every ${formatSeconds(configured.every_seconds)} while entries arrive, and every ${formatSeconds(configured.heartbeat_seconds)} when idle (heartbeat). Observed in the last ${recent.data.items.length} checkpoints:`
          : `A checkpoint is signed every N new entries, every T seconds while entries arrive, and as a heartbeat when idle (the configured values are not available right now). Observed in the last ${recent.data.items.length} checkpoints:`}
      </p>
      <p data-testid="cadence">
        {cadence === null
          ? 'Not enough checkpoints yet to see a cadence.'
          : `Typically one every ${cadence.medianSeconds === null ? '—' : formatSeconds(cadence.medianSeconds)}, adding ${cadence.medianLeaves?.toLocaleString('en') ?? '—'} entries; ${cadence.heartbeats} heartbeat${cadence.heartbeats === 1 ? '' : 's'} (no new entry).`}
      </p>
      {recent.data.verifier_key && (
        <p>
          Verifier key (compare it with the one you were given out of band):{' '}
          <code className="hash" data-testid="verifier-key">
            {recent.data.verifier_key}
          </code>
        </p>
      )}
      <DataTable
        caption="Recent checkpoints, newest first"
        columns={[
          { key: 'size', header: 'Tree size', numeric: true, cell: (c) => c.tree_size.toLocaleString('en') },
          { key: 'added', header: 'Added', numeric: true, cell: (c) => (c.added === null ? '—' : `+${c.added.toLocaleString('en')}`) },
          { key: 'at', header: 'Signed', cell: (c) => <Time iso={c.created_at} /> },
          { key: 'stamp', header: 'Timestamp', cell: (c) => c.timestamp_kind },
          { key: 'root', header: 'Root hash', cell: (c) => <code title={c.root_hash}>{`${c.root_hash.slice(0, 16)}…`}</code> },
        ]}
        rows={rows}
        rowKey={(c) => `${c.tree_size}-${c.created_at}`}
        empty="No checkpoint has been made yet."
      />
    </section>
  );
}

function SelfAudit({ result }: { result: ApiResult<RunDetail | null> }) {
  const anchors = result.ok && result.data ? anchorStatusOf(result.data.output) : null;
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
      <h3>Anchor status</h3>
      <p data-testid="anchor-status">
        {anchors === null
          ? 'No self-audit has reported on the anchors yet. Checkpoints are copied to an anchor outside the platform; the verifier compares them.'
          : !anchors.checked
            ? 'The last self-audit did not check the anchors (no anchor file was given to it).'
            : anchors.problems > 0
              ? `${anchors.problems} anchor problem(s) in the last self-audit: see its details.`
              : `${anchors.anchors.toLocaleString('en')} anchored checkpoint(s) matched in the last self-audit.`}
      </p>
    </section>
  );
}
