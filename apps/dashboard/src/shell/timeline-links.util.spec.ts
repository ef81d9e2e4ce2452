import { detailHref, domainsFrom, timelineHref } from './timeline-links.util';

describe('timeline links', () => {
  it('links lifecycle, tool and run rows to their pages; other domains expand in place', () => {
    expect(detailHref('lifecycle', 'abc')).toBe('/lifecycle/abc');
    expect(detailHref('tool', 'a/b')).toBe('/tools/events/a%2Fb');
    expect(detailHref('run', 'r')).toBe('/runs/r');
    expect(detailHref('marker', 'm')).toBeNull();
  });

  it('reads domains from checkboxes or a comma list, dropping unknown names', () => {
    expect(domainsFrom(['tool', 'lifecycle'])).toEqual(['lifecycle', 'tool']);
    expect(domainsFrom('run,marker,bogus,run')).toEqual(['marker', 'run']);
    expect(domainsFrom(undefined)).toEqual([]);
  });

  it('filters the timeline by a subject', () => {
    expect(timelineHref({ graph_run_id: 'g 1', engine_id: undefined })).toBe('/timeline?graph_run_id=g+1');
  });
});
