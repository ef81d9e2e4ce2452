import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { getLifecycleEvent } from '../../../../src/api/explore-api.util';
import { can } from '../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../src/auth/session.util';
import { Time } from '../../../../src/components/time';
import { MetadataTable } from '../../../../src/lifecycle/metadata-table';
import { ApiProblem, NotAllowed } from '../../../../src/shell/api-problem';
import { timelineHref } from '../../../../src/shell/timeline-links.util';

export const metadata: Metadata = { title: 'Lifecycle event' };

/** One lifecycle event: who, what, when, its metadata as a key/value table (unknown keys flagged) and its ledger position. */
export default async function LifecycleEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.eventsRead)) {
    return (
      <>
        <h1>Lifecycle event</h1>
        <NotAllowed needs="events.read" />
      </>
    );
  }
  const result = redirectIfUnauthorized(await getLifecycleEvent(serviceContext(token), id.slice(0, 64)));
  return (
    <>
      <p>
        <Link href="/lifecycle">← Lifecycle</Link>
      </p>
      <h1>Lifecycle event</h1>
      {!result.ok ? (
        <ApiProblem failure={result} what="lifecycle event" />
      ) : (
        <>
          <dl className="facts" data-testid="lifecycle-event">
            <div>
              <dt>Action</dt>
              <dd>
                <code data-testid="event-action">{result.data.action}</code>
              </dd>
            </div>
            <div>
              <dt>When</dt>
              <dd>
                <Time iso={result.data.ts} />
              </dd>
            </div>
            <div>
              <dt>Actor</dt>
              <dd>{result.data.actor}</dd>
            </div>
            <div>
              <dt>Engine</dt>
              <dd>{result.data.engine_id ? <Link href={timelineHref({ engine_id: result.data.engine_id })}>{result.data.engine_id}</Link> : '—'}</dd>
            </div>
            <div>
              <dt>User</dt>
              <dd>{result.data.user_id ? <Link href={timelineHref({ user_id: result.data.user_id })}>{result.data.user_id}</Link> : '—'}</dd>
            </div>
            <div>
              <dt>Product</dt>
              <dd>{result.data.product_id ?? '—'}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{result.data.duration_ms === null ? '—' : `${result.data.duration_ms} ms`}</dd>
            </div>
            <div>
              <dt>Ledger entry</dt>
              <dd data-testid="ledger-seq">{result.data.ledger_seq === null ? 'not yet written' : `seq ${result.data.ledger_seq}`}</dd>
            </div>
            <div>
              <dt>Event id</dt>
              <dd className="hash">{result.data.event_id}</dd>
            </div>
          </dl>
          <h2>Metadata</h2>
          {result.data.unknown_metadata_keys.length > 0 && (
            <p className="notice notice-warn" data-testid="unknown-keys-note">
              {result.data.unknown_metadata_keys.length === 1 ? 'One key is' : `${result.data.unknown_metadata_keys.length} keys are`} not defined by the schema
              of <code>{result.data.action}</code>: kept and hashed with the event, flagged below.
            </p>
          )}
          <MetadataTable metadata={result.data.metadata} unknownKeys={result.data.unknown_metadata_keys} />
        </>
      )}
    </>
  );
}
