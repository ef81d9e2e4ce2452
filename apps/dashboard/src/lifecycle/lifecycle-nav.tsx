/** Explorer / Reports links of the Lifecycle section. */
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
      </ul>
    </nav>
  );
}
