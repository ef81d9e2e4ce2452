import { ENTITLEMENTS } from '@auditstack/audit-core';
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getToolEvent } from '../../../../../src/api/explore-api.util';
import { can } from '../../../../../src/auth/permissions.util';
import { redirectIfUnauthorized, requireIdentity, serviceContext } from '../../../../../src/auth/session.util';
import { formatBytes } from '../../../../../src/components/chart-data.util';
import { Time } from '../../../../../src/components/time';
import { ApiProblem, NotAllowed } from '../../../../../src/shell/api-problem';
import { hrefWith } from '../../../../../src/shell/search-params.util';
import { timelineHref } from '../../../../../src/shell/timeline-links.util';

export const metadata: Metadata = { title: 'Tool event' };

/** One tool call as stored: who called what, the outcome, sizes and the input hash (never a payload), its graph run and ledger position. */
export default async function ToolEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { token, who } = await requireIdentity();
  if (!can(who.entitlements, ENTITLEMENTS.eventsRead)) {
    return (
      <>
        <h1>Tool event</h1>
        <NotAllowed needs="events.read" />
      </>
    );
  }
  const result = redirectIfUnauthorized(await getToolEvent(serviceContext(token), id.slice(0, 64)));
  const fact = (label: string, value: ReactNode, testId?: string) => (
    <div key={label}>
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
  return (
    <>
      <p>
        <Link href="/tools/events">← Tool events</Link>
      </p>
      <h1>Tool event</h1>
      {!result.ok ? (
        <ApiProblem failure={result} what="tool event" />
      ) : (
        <dl className="facts" data-testid="tool-event">
          {fact('Call', <code>{`${result.data.tool}.${result.data.action}`}</code>, 'event-call')}
          {fact('Status', <span className={`pill pill-${result.data.status === 'ok' ? 'pass' : 'fail'}`}>{result.data.status}</span>)}
          {fact('When', <Time iso={result.data.ts} />)}
          {fact('Duration', `${result.data.duration_ms} ms`)}
          {fact('Agent', <Link href={hrefWith('/tools/events', { agent_id: result.data.agent_id })}>{result.data.agent_id}</Link>)}
          {fact('Workspace', <Link href={timelineHref({ workspace_id: result.data.workspace_id })}>{result.data.workspace_id}</Link>)}
          {fact('User', result.data.user_id ?? '—')}
          {fact(
            'Graph run',
            result.data.graph_run_id ? <Link href={timelineHref({ graph_run_id: result.data.graph_run_id })}>{result.data.graph_run_id}</Link> : '—',
          )}
          {fact('Graph node', result.data.graph_node ?? '—')}
          {fact('Job', result.data.job_id ?? '—')}
          {fact('Request id', <code>{result.data.req_id}</code>)}
          {fact('Input / output size', `${formatBytes(result.data.in_size)} / ${formatBytes(result.data.out_size)}`)}
          {fact('Input hash (SHA-256)', result.data.input_hash ? <span className="hash">{result.data.input_hash}</span> : 'none sent')}
          {fact('Ledger entry', result.data.ledger_seq === null ? 'not yet written' : `seq ${result.data.ledger_seq}`, 'ledger-seq')}
          {fact('Event id', <span className="hash">{result.data.event_id}</span>)}
        </dl>
      )}
    </>
  );
}
