import type { Badge } from '../api/api-views.util';

/** Words for each colour: the badge is read, not only seen (WCAG 1.4.1, use of colour). */
export const BADGE_LABEL: Readonly<Record<Badge, string>> = {
  green: 'passing',
  amber: 'warnings',
  red: 'failing',
  grey: 'no results yet',
};

const BADGE_ICON: Readonly<Record<Badge, string>> = { green: '✓', amber: '!', red: '✕', grey: '–' };

export interface ScoreBadgeProps {
  readonly passed: number;
  readonly total: number;
  readonly badge: Badge;
}

/** Text a screen reader reads and a tooltip shows: "5 of 8 checks passing". */
export function scoreDescription({ passed, total, badge }: ScoreBadgeProps): string {
  if (total === 0) return badge === 'grey' ? 'No check results yet' : `No check results: ${BADGE_LABEL[badge]}`;
  return `${passed} of ${total} checks pass: ${BADGE_LABEL[badge]}`;
}

/** Score `X/N` and the status in words; colour and icon only repeat what the text says. */
export function ScoreBadge(props: ScoreBadgeProps) {
  const { passed, total, badge } = props;
  return (
    <span className={`score-badge badge-${badge}`} title={scoreDescription(props)} data-testid="score-badge" data-badge={badge}>
      <span className="badge-icon" aria-hidden="true">
        {BADGE_ICON[badge]}
      </span>
      <span className="visually-hidden">{scoreDescription(props)}</span>
      <span aria-hidden="true">
        {total > 0 && (
          <>
            <strong className="badge-score">{`${passed}/${total}`}</strong>{' '}
          </>
        )}
        {BADGE_LABEL[badge]}
      </span>
    </span>
  );
}
