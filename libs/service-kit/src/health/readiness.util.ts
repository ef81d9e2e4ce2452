import type { DataSource } from 'typeorm';

/**
 * One dependency `/ready` reports. `state` is a fixed word (`up`, `down`,
 * `fallback_spooling`…), never an error message: probes are public and must
 * not reveal hosts, ports, paths or connection strings.
 */
export interface ReadinessProbe {
  readonly name: string;
  /** Resolves with the state and whether the service can do its work with it. */
  check(): Promise<{ ready: boolean; state: string }>;
}

/** Injection token of the service's probes (an array). */
export const READINESS_PROBES = Symbol('READINESS_PROBES');

/** Longest a probe may take before it counts as down. */
export const PROBE_TIMEOUT_MS = 2000;

/** Resolves `work`, or rejects after `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms = PROBE_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('probe timed out')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * PostgreSQL through the service's DataSource (`SELECT 1`). `required: false`
 * for a service that keeps working without it (the gateway's `auto` backend
 * spools): the state is reported but does not make the service unready.
 */
export function databaseProbe(dataSource: DataSource, required: boolean | (() => boolean) = true): ReadinessProbe {
  return {
    name: 'database',
    async check() {
      const needed = typeof required === 'function' ? required() : required;
      try {
        if (!dataSource.isInitialized) throw new Error('not connected');
        await withTimeout(dataSource.query('SELECT 1'));
        return { ready: true, state: 'up' };
      } catch {
        return { ready: !needed, state: 'down' };
      }
    },
  };
}

/** Runs every probe (in parallel, each bounded); ready when all are. */
export async function runProbes(probes: readonly ReadinessProbe[]): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const results = await Promise.all(
    probes.map(async (probe) => {
      try {
        return [probe.name, await withTimeout(probe.check())] as const;
      } catch {
        return [probe.name, { ready: false, state: 'down' }] as const;
      }
    }),
  );
  return { ready: results.every(([, r]) => r.ready), checks: Object.fromEntries(results.map(([name, r]) => [name, r.state])) };
}
