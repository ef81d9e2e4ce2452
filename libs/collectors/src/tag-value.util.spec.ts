import { parseTagList, tagValue } from './tag-value.util';

describe('parseTagList (RFC 6376 §3.2)', () => {
  it('parses tags in order, trimming whitespace and allowing a trailing ";"', () => {
    const list = parseTagList(' v=DMARC1 ;  p = reject ; rua=mailto:a@example.com; ');
    expect(list).toEqual({
      tags: [
        { name: 'v', value: 'DMARC1' },
        { name: 'p', value: 'reject' },
        { name: 'rua', value: 'mailto:a@example.com' },
      ],
      errors: [],
    });
    expect(tagValue(list, 'p')).toBe('reject');
    expect(tagValue(list, 'sp')).toBeUndefined();
  });

  it('reports duplicates, empty tags and segments without "="', () => {
    expect(parseTagList('v=DKIM1; p=abc; p=def').errors).toEqual(['duplicate tag "p"']);
    expect(parseTagList('v=DKIM1;; p=abc').errors).toEqual(['empty tag']);
    expect(parseTagList('v=DKIM1; garbage').errors).toEqual(['"garbage" is not tag=value']);
  });

  it('bounds the number of tags it parses', () => {
    const list = parseTagList(Array.from({ length: 500 }, (_, i) => `t${i}=x`).join(';'));
    expect(list.tags).toHaveLength(64);
    expect(list.errors).toContain('more than 64 tags');
  });
});
