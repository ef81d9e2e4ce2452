import { WORKBOOK_NAME_PATTERN } from '@auditstack/audit-core';

/** Helpers of the workbook pages (framework-free). */

/** A route segment as text: decoded once; malformed escapes are kept as they came (and then fail the name check). */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** `?v=` as a version number, or null when absent or not a positive integer. */
export function versionParam(raw: string | undefined): number | null {
  if (raw === undefined || !/^[1-9]\d{0,8}$/.test(raw)) return null;
  return Number(raw);
}

/** One line of a stored spec's step list; a stored spec is read leniently (it passed the schema when saved). */
export interface SpecStepLine {
  readonly index: number;
  readonly id: string;
  readonly kind: string;
  readonly description: string;
}

/** The steps of a stored spec for the step table. */
export function specSteps(spec: Readonly<Record<string, unknown>>): SpecStepLine[] {
  const steps = spec['steps'];
  if (!Array.isArray(steps)) return [];
  return steps.map((step: unknown, index) => {
    const record = typeof step === 'object' && step !== null ? (step as Record<string, unknown>) : {};
    const textOf = (key: string): string => (typeof record[key] === 'string' ? (record[key] as string) : '');
    return { index, id: textOf('id') || `#${index + 1}`, kind: textOf('kind'), description: textOf('description') };
  });
}

/** The workbook a `workbook` action runs (`config.workbook`), or null for other actions and malformed configs. */
export function workbookOfAction(action: {
  readonly action_type: string;
  readonly config?: Readonly<Record<string, unknown>> | null;
}): { name: string; version: number | null } | null {
  if (action.action_type !== 'workbook' || !action.config) return null;
  const name = action.config['workbook'];
  const version = action.config['version'];
  if (typeof name !== 'string' || !WORKBOOK_NAME_PATTERN.test(name)) return null;
  return { name, version: typeof version === 'number' && Number.isInteger(version) && version > 0 ? version : null };
}

/** The new-workbook editor's starting text: one http step with an assertion and an extraction, a second step using it. */
export const NEW_WORKBOOK_TEXT = `${JSON.stringify(
  {
    name: 'my-workbook',
    description: 'What this workbook verifies.',
    steps: [
      {
        id: 'homepage',
        kind: 'http',
        url: 'https://example.org/',
        assert: [{ path: '$.status_code', op: 'eq', value: 200 }],
        extract: { content_type: "$.headers['content-type']" },
      },
      {
        id: 'certificate',
        kind: 'tls',
        host: 'example.org',
        warn_days: 21,
      },
    ],
  },
  null,
  2,
)}\n`;
