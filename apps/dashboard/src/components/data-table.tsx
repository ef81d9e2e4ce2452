import type { ReactNode } from 'react';

/** One column: a header and how to render a row's cell. */
export interface Column<Row> {
  readonly key: string;
  readonly header: string;
  readonly cell: (row: Row) => ReactNode;
  /** Right-align numbers. @defaultValue `false` */
  readonly numeric?: boolean;
}

export interface DataTableProps<Row> {
  /** Accessible name of the table, shown as its caption. */
  readonly caption: string;
  readonly columns: readonly Column<Row>[];
  /** `null` while loading. */
  readonly rows: readonly Row[] | null;
  readonly rowKey: (row: Row) => string;
  /** What to say when there is nothing to show. @defaultValue `'Nothing to show yet.'` */
  readonly empty?: ReactNode;
  /** Placeholder rows while loading. @defaultValue `3` */
  readonly loadingRows?: number;
  /** Hide the caption visually (it still names the table). @defaultValue `false` */
  readonly hideCaption?: boolean;
}

/**
 * A plain, accessible table that scrolls sideways on a phone instead of squeezing its columns.
 * Loading: placeholder rows with `aria-busy`. Empty: one row saying so.
 */
export function DataTable<Row>({ caption, columns, rows, rowKey, empty = 'Nothing to show yet.', loadingRows = 3, hideCaption = false }: DataTableProps<Row>) {
  const loading = rows === null;
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="data-table" aria-busy={loading || undefined}>
        <caption className={hideCaption ? 'visually-hidden' : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.numeric ? 'numeric' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {loading &&
            Array.from({ length: loadingRows }, (_, i) => (
              <tr key={`loading-${i}`} className="loading-row" data-testid="loading-row">
                {columns.map((column) => (
                  <td key={column.key}>
                    <span className="skeleton" aria-hidden="true" />
                    {i === 0 && column === columns[0] ? <span className="visually-hidden">Loading…</span> : null}
                  </td>
                ))}
              </tr>
            ))}
          {!loading && rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty" data-testid="empty">
                {empty}
              </td>
            </tr>
          )}
          {!loading &&
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => (
                  <td key={column.key} className={column.numeric ? 'numeric' : undefined}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}
