/** Explorer / Reports links of the Lifecycle section, and the timeline of every domain. */
export function LifecycleNav({ current }: { readonly current: 'explorer' | 'reports' }) {
  return (
    <nav aria-label="Lifecycle views">
      <ul className="sub-nav" role="list">
        <li>
          <a href="/lifecycle" aria-current={current === 'explorer' ? 'page' : undefined}>
            Event explorer
          </a>
        </li>
        <li>
          <a href="/lifecycle/reports" aria-current={current === 'reports' ? 'page' : undefined}>
            Reports
          </a>
        </li>
        <li>
          <a href="/timeline">Timeline</a>
        </li>
      </ul>
    </nav>
  );
}
