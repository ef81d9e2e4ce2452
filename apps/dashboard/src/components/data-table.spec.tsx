import { renderToStaticMarkup } from 'react-dom/server';
import { DataTable, type Column } from './data-table';

interface Row {
  id: string;
  name: string;
  calls: number;
}

const columns: Column<Row>[] = [
  { key: 'name', header: 'Name', cell: (row) => row.name },
  { key: 'calls', header: 'Calls', cell: (row) => row.calls, numeric: true },
];

describe('DataTable', () => {
  it('renders a caption, headers and one row per item', () => {
    const html = renderToStaticMarkup(
      <DataTable
        caption="Tools"
        columns={columns}
        rows={[
          { id: 'a', name: 'search', calls: 3 },
          { id: 'b', name: 'fetch', calls: 10 },
        ]}
        rowKey={(r) => r.id}
      />,
    );
    expect(html).toContain('<caption>Tools</caption>');
    expect(html).toContain('<th scope="col">Name</th><th scope="col" class="numeric">Calls</th>');
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain('<td class="numeric">10</td>');
  });

  it('says so when there is nothing to show', () => {
    const html = renderToStaticMarkup(<DataTable caption="Tools" columns={columns} rows={[]} rowKey={(r) => r.id} empty="No tool calls in this window." />);
    expect(html).toMatch(/<td colSpan="2" class="empty"/i);
    expect(html).toContain('No tool calls in this window.');
  });

  it('shows busy placeholder rows while loading', () => {
    const html = renderToStaticMarkup(<DataTable caption="Tools" columns={columns} rows={null} rowKey={(r) => r.id} loadingRows={2} />);
    expect(html).toContain('aria-busy="true"');
    expect(html.match(/data-testid="loading-row"/g)).toHaveLength(2);
    expect(html).toContain('Loading…');
  });
});
