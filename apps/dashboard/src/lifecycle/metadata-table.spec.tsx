import { renderToStaticMarkup } from 'react-dom/server';
import { MetadataTable, metadataValueText } from './metadata-table';

describe('MetadataTable', () => {
  it('lists every key with its value and flags only the unknown ones', () => {
    const html = renderToStaticMarkup(<MetadataTable metadata={{ image: 'engine:1', tier: 'gold', limits: { cpu: 2 } }} unknownKeys={['tier']} />);
    expect(html).toContain('<caption>Metadata</caption>');
    expect(html.match(/data-testid="unknown-key"/g)).toHaveLength(1);
    expect(html).toMatch(/<code>tier<\/code> <span[^>]*data-testid="unknown-key"/);
    expect(html).toContain('{&quot;cpu&quot;:2}');
  });

  it('says so when there is no metadata, and escapes what a value holds', () => {
    expect(renderToStaticMarkup(<MetadataTable metadata={{}} unknownKeys={[]} />)).toContain('This event has no metadata.');
    expect(renderToStaticMarkup(<MetadataTable metadata={{ note: '<script>x</script>' }} unknownKeys={['note']} />)).not.toContain('<script>');
  });

  it('shows strings as they are, other values as JSON, long ones cut', () => {
    expect(metadataValueText('a b')).toBe('a b');
    expect(metadataValueText(3)).toBe('3');
    expect(metadataValueText(null)).toBe('null');
    expect(metadataValueText('x'.repeat(5000))).toHaveLength(2001);
  });
});
