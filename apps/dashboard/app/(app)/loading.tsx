import { DataTable } from '../../src/components/data-table';

/** Shown while a page waits for the services (streamed first, replaced when the data arrives). */
export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite">
      <p className="muted">Loading…</p>
      <DataTable
        caption="Loading"
        hideCaption
        columns={[
          { key: 'a', header: '', cell: () => null },
          { key: 'b', header: '', cell: () => null },
          { key: 'c', header: '', cell: () => null },
        ]}
        rows={null}
        rowKey={() => ''}
        loadingRows={4}
      />
    </div>
  );
}
