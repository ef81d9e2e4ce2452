import type { ApiResult } from '../api/api-client.util';
import type { Marker, MarkersPage } from '../api/api-views.util';
import { DataTable, type Column } from '../components/data-table';
import { Time } from '../components/time';
import { ApiProblem } from '../shell/api-problem';

/** What each marker means, in words; an unknown marker shows its name. */
export const MARKER_MEANING: Readonly<Record<string, string>> = {
  emergency_stop: 'Emergency stop engaged',
  emergency_stop_lifted: 'Emergency stop lifted',
  backend_fallback_started: 'PostgreSQL down: spooling, nothing lost',
  backend_fallback_ended: 'PostgreSQL back: spool replayed',
  tool_call_denied: 'Tool call denied',
  spool_line_quarantined: 'Spool line quarantined',
  spool_chain_broken: 'Spool chain gap',
  evidence_key_rotation: 'Evidence signing key rotated',
  demo_loaded: 'Demo fleet loaded',
  demo_removed: 'Demo fleet removed',
};

/** The one detail worth a glance per marker (a reason, the agent and tool…), as plain text. */
export function markerSummary(marker: Marker): string {
  const d = marker.details;
  const text = (key: string): string | null => (typeof d[key] === 'string' ? (d[key] as string) : null);
  switch (marker.marker) {
    case 'emergency_stop':
      return `${text('by') ?? 'unknown'}: ${text('reason') ?? 'no reason given'}`;
    case 'emergency_stop_lifted':
      return `engaged for: ${text('engaged_reason') ?? 'unknown reason'}`;
    case 'tool_call_denied':
      return `${text('agent_id') ?? '?'} → ${text('tool') ?? '?'}.${text('action') ?? '?'}: ${text('reason') ?? ''}`;
    default:
      return text('reason') ?? '';
  }
}

const COLUMNS: Column<Marker>[] = [
  { key: 'ts', header: 'When', cell: (m) => <Time iso={m.ts} /> },
  { key: 'marker', header: 'What', cell: (m) => MARKER_MEANING[m.marker] ?? m.marker },
  { key: 'details', header: 'Details', cell: (m) => markerSummary(m).slice(0, 200) },
];

/** The gateway's latest markers (admins): every fallback, emergency stop and its lifting is listed, as in the ledger. */
export function GatewayMarkers({ markers }: { readonly markers: ApiResult<MarkersPage> | null }) {
  if (markers === null) return null;
  return (
    <section aria-labelledby="markers-heading" className="section" data-testid="gateway-markers">
      <h2 id="markers-heading">Gateway markers</h2>
      <p className="muted">Facts the gateway recorded about itself, newest first; each one is a ledger leaf.</p>
      {markers.ok ? (
        <DataTable
          caption="Latest gateway markers"
          hideCaption
          columns={COLUMNS}
          rows={markers.data.items}
          rowKey={(m) => m.id}
          empty="No markers recorded yet."
        />
      ) : (
        <ApiProblem failure={markers} what="gateway markers" />
      )}
      <p>
        <a href="/markers">All markers, by kind →</a>
      </p>
    </section>
  );
}
