import Link from 'next/link';
import type { ProjectCard } from '../api/api-views.util';

/** The later of two ISO times: a run that kept no checks is an audit too. */
export function latestOf(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * Why a project is red besides failing checks (the engine's lines: an active action whose latest
 * run failed or errored, or that cannot be scheduled), each linked to its run when there is one.
 */
export function CardReasons({ card }: { card: Pick<ProjectCard, 'id' | 'reasons' | 'reasonCount'> }) {
  if (card.reasons.length === 0) return null;
  return (
    <ul className="card-reasons" data-testid="card-reasons" aria-label="Why this project is failing" id={`reasons-${card.id}`}>
      {card.reasons.map((reason) => (
        <li key={reason.actionId}>{reason.runId ? <Link href={`/runs/${encodeURIComponent(reason.runId)}`}>{reason.text}</Link> : reason.text}</li>
      ))}
      {card.reasonCount > card.reasons.length && <li className="muted">{`and ${card.reasonCount - card.reasons.length} more`}</li>}
    </ul>
  );
}
