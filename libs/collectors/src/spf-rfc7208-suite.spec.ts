import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { checkSpf, type SpfResult } from './spf-evaluator.util';
import { SuiteZoneResolver } from './testing/spf-suite-resolver.util';

/**
 * The community RFC 7208 test suite (pyspf's rfc7208-tests.yml, provenance in
 * its header), run through check_host() with an in-memory resolver serving
 * each scenario's zone data. `result` may list several acceptable results;
 * `explanation` is the expected exp= text on fail, "DEFAULT" meaning none.
 */
interface SuiteTest {
  readonly id: string;
  readonly scenario: string;
  readonly spec: string;
  readonly host: string;
  readonly helo: string;
  readonly mailfrom: string;
  readonly results: readonly SpfResult[];
  readonly explanation?: string;
  readonly zone: Record<string, unknown>;
}

const EXPECTED_TESTS = 203;

function loadSuite(): SuiteTest[] {
  const text = readFileSync(join(__dirname, 'testing', 'rfc7208-tests.yml'), 'utf8');
  const tests: SuiteTest[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (!('toJS' in doc)) throw new Error('rfc7208-tests.yml does not parse');
    const scenario = doc.toJS() as { description: string; tests: Record<string, Record<string, unknown>>; zonedata?: Record<string, unknown> };
    for (const [id, t] of Object.entries(scenario.tests)) {
      const result = t['result'] as SpfResult | SpfResult[];
      tests.push({
        id,
        scenario: scenario.description,
        spec: String(t['spec']),
        host: String(t['host']),
        helo: String(t['helo']),
        mailfrom: String(t['mailfrom'] ?? ''),
        results: Array.isArray(result) ? result : [result],
        ...(t['explanation'] === undefined ? {} : { explanation: String(t['explanation']) }),
        zone: scenario.zonedata ?? {},
      });
    }
  }
  return tests;
}

const suite = loadSuite();
const outcomes = new Map<SuiteTest, { result: SpfResult; explanation: string; reason: string }>();

function passed(t: SuiteTest): boolean {
  const o = outcomes.get(t);
  if (!o || !t.results.includes(o.result)) return false;
  return t.explanation === undefined || t.explanation === o.explanation;
}

describe('RFC 7208 test suite (pyspf rfc7208-tests.yml)', () => {
  beforeAll(async () => {
    for (const t of suite) {
      const outcome = await checkSpf({ ip: t.host, mailFrom: t.mailfrom, helo: t.helo, resolver: new SuiteZoneResolver(t.zone as Record<string, unknown>) });
      outcomes.set(t, { result: outcome.result, explanation: outcome.explanation ?? 'DEFAULT', reason: outcome.reason });
    }
  });

  it(`holds ${EXPECTED_TESTS} tests`, () => {
    expect(suite).toHaveLength(EXPECTED_TESTS);
  });

  it.each(suite.map((t) => [`${t.scenario} › ${t.id} (§${t.spec})`, t] as const))('%s', (_name, t) => {
    const o = outcomes.get(t);
    expect({ result: o?.result, ...(t.explanation === undefined ? {} : { explanation: o?.explanation }) }).toEqual({
      result: t.results.includes(o?.result as SpfResult) ? o?.result : t.results.join(' or '),
      ...(t.explanation === undefined ? {} : { explanation: t.explanation }),
    });
  });

  it('passes every test', () => {
    const failed = suite.filter((t) => !passed(t));
    process.stdout.write(`RFC 7208 suite: ${suite.length - failed.length}/${suite.length} passed\n`);
    expect(failed.map((t) => `${t.id}: got ${outcomes.get(t)?.result} (${outcomes.get(t)?.reason}), want ${t.results.join('|')}`)).toEqual([]);
  });
});
