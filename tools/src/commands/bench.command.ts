import type { Command } from 'commander';
import type { BenchRunner } from '../bench/bench-runner.util';

/**
 * Benchmarks by name, each loaded when it runs: their load generators are dev
 * dependencies, absent from the engine image that carries this CLI. To add
 * one: one line like the others (a `require` here, so the CLI loads it only when asked).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand; `import()` would make these ES module loads */
export const BENCHES: Readonly<Record<string, () => Promise<BenchRunner>>> = {
  evidence: async () => (require('../bench/evidence.bench') as typeof import('../bench/evidence.bench')).runEvidenceBench,
  engine: async () => (require('../bench/engine.bench') as typeof import('../bench/engine.bench')).runEngineBench,
  gateway: async () => (require('../bench/gateway.bench') as typeof import('../bench/gateway.bench')).runGatewayBench,
  dashboard: async () => (require('../bench/dashboard.bench') as typeof import('../bench/dashboard.bench')).runDashboardBench,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** `auditstack bench <name…>` (`npm run bench -- evidence`). Benchmarks, not tests: they print figures and never fail on them. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`run benchmarks: ${Object.keys(BENCHES).join(', ')} (default: all)`)
    .argument('[names...]', 'benchmarks to run')
    .option('--scale <factor>', 'multiply the default sizes', (v) => Number(v), 1)
    .option('--runs <n>', 'stored runs to seed where a bench has a runs data set (dashboard)', (v) => Number(v))
    .action(async (names: string[], options: { scale: number; runs?: number }) => {
      const chosen = names.length ? names : Object.keys(BENCHES);
      const unknown = chosen.filter((n) => !BENCHES[n]);
      if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
      if (!(options.scale > 0)) throw new Error('--scale must be a positive number');
      if (options.runs !== undefined && !(Number.isInteger(options.runs) && options.runs >= 0)) throw new Error('--runs must be a whole number');
      for (const name of chosen) await (await BENCHES[name]!())({ scale: options.scale, ...(options.runs !== undefined ? { runs: options.runs } : {}) });
    });
}
