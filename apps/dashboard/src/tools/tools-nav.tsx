import { FilterSelect } from '../components/filter-select';
import { TOOLS_WINDOWS, type ToolsWindow } from '../api/service-api.util';

export const WINDOW_NAMES = Object.keys(TOOLS_WINDOWS) as ToolsWindow[];

/** The window from `?window=`, 24 hours when absent or unknown. */
export function windowFrom(value: string | undefined): ToolsWindow {
  return WINDOW_NAMES.find((w) => w === value) ?? '24h';
}

/** Which views of the Tools section a token may open (each link shown only then). */
export interface ToolsViews {
  readonly finops: boolean;
  readonly privacy: boolean;
  /** The tool-event explorer (`events.read`). @defaultValue `false` */
  readonly events?: boolean;
  /** The gateway markers explorer (unscoped `evidence.read`). @defaultValue `false` */
  readonly markers?: boolean;
}

/** FinOps / Privacy / Tool events / Markers links (only those the token may read) and, on the dashboards, the window selector. */
export function ToolsNav({
  current,
  window,
  finops,
  privacy,
  events = false,
  markers = false,
}: ToolsViews & {
  readonly current: 'finops' | 'privacy' | 'events' | 'markers';
  /** The dashboards' window; the explorers have their own filters. */
  readonly window?: ToolsWindow;
}) {
  const path = current === 'finops' ? '/tools' : '/tools/privacy';
  const links = [
    { show: finops, href: `/tools?window=${window ?? '24h'}`, label: 'FinOps', id: 'finops' },
    { show: privacy, href: `/tools/privacy?window=${window ?? '24h'}`, label: 'Privacy', id: 'privacy' },
    { show: events, href: '/tools/events', label: 'Tool events', id: 'events' },
    { show: markers, href: '/markers', label: 'Markers', id: 'markers' },
  ] as const;
  return (
    <>
      <nav aria-label="Tools views">
        <ul className="sub-nav" role="list">
          {links
            .filter((l) => l.show)
            .map((l) => (
              <li key={l.id}>
                <a href={l.href} aria-current={current === l.id ? 'page' : undefined}>
                  {l.label}
                </a>
              </li>
            ))}
        </ul>
      </nav>
      {window && (current === 'finops' || current === 'privacy') && (
        <form className="filters" method="get" action={path} aria-label="Time window">
          <FilterSelect name="window" label="Window" options={WINDOW_NAMES} value={window} format={(w) => `last ${w}`} />
          <button type="submit" className="button">
            Apply
          </button>
        </form>
      )}
    </>
  );
}

/** Where the numbers come from: the storage backend and whether the read is complete. */
export function SourceLine({
  sourceBackend,
  complete,
  workspace,
}: {
  readonly sourceBackend: string;
  readonly complete?: boolean | null;
  readonly workspace: string | null;
}) {
  return (
    <p className="muted">
      Source backend: <code data-testid="source-backend">{sourceBackend}</code>
      {complete === false && ' (some events are still spooled and not counted yet)'}
      {workspace && (
        <>
          {' '}
          · scoped to workspace <code data-testid="workspace-scope">{workspace}</code>
        </>
      )}
    </p>
  );
}
