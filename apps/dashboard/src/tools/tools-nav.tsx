import { FilterSelect } from '../components/filter-select';
import { TOOLS_WINDOWS, type ToolsWindow } from '../api/service-api.util';

export const WINDOW_NAMES = Object.keys(TOOLS_WINDOWS) as ToolsWindow[];

/** The window from `?window=`, 24 hours when absent or unknown. */
export function windowFrom(value: string | undefined): ToolsWindow {
  return WINDOW_NAMES.find((w) => w === value) ?? '24h';
}

/** FinOps / Privacy links (only those the token may read) and the window selector. */
export function ToolsNav({
  current,
  window,
  finops,
  privacy,
}: {
  readonly current: 'finops' | 'privacy';
  readonly window: ToolsWindow;
  readonly finops: boolean;
  readonly privacy: boolean;
}) {
  const path = current === 'finops' ? '/tools' : '/tools/privacy';
  return (
    <>
      <nav aria-label="Tools dashboards">
        <ul className="sub-nav" role="list">
          {finops && (
            <li>
              <a href={`/tools?window=${window}`} aria-current={current === 'finops' ? 'page' : undefined}>
                FinOps
              </a>
            </li>
          )}
          {privacy && (
            <li>
              <a href={`/tools/privacy?window=${window}`} aria-current={current === 'privacy' ? 'page' : undefined}>
                Privacy
              </a>
            </li>
          )}
        </ul>
      </nav>
      <form className="filters" method="get" action={path} aria-label="Time window">
        <FilterSelect name="window" label="Window" options={WINDOW_NAMES} value={window} format={(w) => `last ${w}`} />
        <button type="submit" className="button">
          Apply
        </button>
      </form>
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
