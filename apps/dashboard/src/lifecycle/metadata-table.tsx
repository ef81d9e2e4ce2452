import { DataTable, type Column } from '../components/data-table';

/** Characters of one value shown in the table (the stored value is bounded at ingest; this keeps the page readable). */
const MAX_VALUE_CHARS = 2000;

interface MetadataRow {
  readonly key: string;
  readonly value: string;
  readonly unknown: boolean;
}

/** A value as text: strings as they are, everything else as compact JSON. */
export function metadataValueText(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

const COLUMNS: Column<MetadataRow>[] = [
  {
    key: 'key',
    header: 'Key',
    cell: (r) => (
      <>
        <code>{r.key}</code>
        {r.unknown && (
          <>
            {' '}
            <span className="pill pill-warn" data-testid="unknown-key" title="Not defined by this action's schema: kept, hashed and flagged">
              unknown key
            </span>
          </>
        )}
      </>
    ),
  },
  { key: 'value', header: 'Value', cell: (r) => <code className="hash">{r.value}</code> },
];

/**
 * A lifecycle event's metadata as a key/value table, the keys its action's schema does not
 * define flagged ("unknown key"): they were kept and hashed with the row, never a reason to refuse it.
 */
export function MetadataTable({ metadata, unknownKeys }: { readonly metadata: Readonly<Record<string, unknown>>; readonly unknownKeys: readonly string[] }) {
  const rows: MetadataRow[] = Object.entries(metadata).map(([key, value]) => ({ key, value: metadataValueText(value), unknown: unknownKeys.includes(key) }));
  return <DataTable caption="Metadata" columns={COLUMNS} rows={rows} rowKey={(r) => r.key} empty="This event has no metadata." />;
}
