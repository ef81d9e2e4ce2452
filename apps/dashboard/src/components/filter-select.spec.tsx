import { renderToStaticMarkup } from 'react-dom/server';
import { FilterSelect } from './filter-select';

describe('FilterSelect', () => {
  it('renders a labelled select whose empty option removes the filter', () => {
    const html = renderToStaticMarkup(<FilterSelect name="status" label="Status" options={['pass', 'fail']} value="fail" anyLabel="Any status" />);
    expect(html).toContain('<label for="status">Status</label>');
    expect(html).toContain('<select id="status" name="status">');
    expect(html).toContain('<option value="">Any status</option>');
    expect(html).toContain('<option value="fail" selected="">fail</option>');
  });

  it('has no empty option when a choice is required, and formats option text', () => {
    const html = renderToStaticMarkup(<FilterSelect name="window" label="Window" options={['24h', '7d']} value="7d" format={(w) => `last ${w}`} />);
    expect(html).not.toContain('<option value="">');
    expect(html).toContain('<option value="7d" selected="">last 7d</option>');
  });
});
