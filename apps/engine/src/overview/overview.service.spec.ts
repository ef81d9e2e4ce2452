import { summarise } from './overview.service';

describe('summarise (scorecard)', () => {
  const at = new Date('2026-11-22T10:00:00Z');
  it('all pass → green, X/N counts pass', () => {
    expect(summarise({ pass: 8, warn: 0, fail: 0, error: 0 }, at)).toMatchObject({ score: 8, total: 8, score_text: '8/8', badge: 'green', last_audit_at: at });
  });
  it('a warn colours the badge amber but keeps the score', () => {
    expect(summarise({ pass: 7, warn: 1, fail: 0, error: 0 }, at)).toMatchObject({ score_text: '8/8', badge: 'amber' });
  });
  it('any fail or error → red, and lowers the score', () => {
    expect(summarise({ pass: 6, warn: 1, fail: 1, error: 0 }, at)).toMatchObject({ score_text: '7/8', badge: 'red' });
    expect(summarise({ pass: 7, warn: 0, fail: 0, error: 1 }, at)).toMatchObject({ score_text: '7/8', badge: 'red' });
  });
  it('no results yet → grey 0/0', () => {
    expect(summarise({ pass: 0, warn: 0, fail: 0, error: 0 }, null)).toMatchObject({ score_text: '0/0', badge: 'grey', last_audit_at: null });
  });
});
