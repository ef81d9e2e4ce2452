import type { Check } from '@auditstack/audit-core';

/** The check with `id`, or a test failure naming the ids that exist. */
export function checkById(checks: readonly Check[], id: string): Check {
  const found = checks.find((c) => c.check_id === id);
  if (!found) throw new Error(`no check ${id} in [${checks.map((c) => c.check_id).join(', ')}]`);
  return found;
}
