import type { Command } from 'commander';
import type { BenchRunner } from '../bench/bench-runner.util';
import { jsonOption, writeJson } from '../cli/cli-output.util';
import { usageError } from '../cli/exit-codes';
import { naturalNumber, positiveNumber } from '../cli/option-parsers.util';

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

/**
 * `auditstack bench <name…>` (`npm run bench -- evidence`). Benchmarks, not
 * tests: they print figures and never fail on them. With `--json` the figures
 * (which the benchmarks print as text) go to stderr and stdout is
 * `{ scale, runs, benchmarks: [{ name, seconds }] }`.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`run benchmarks: ${Object.keys(BENCHES).join(', ')} (default: all)`)
    .argument('[names...]', 'benchmarks to run')
    .option('--scale <factor>', 'multiply the default sizes', positiveNumber, 1)
    .option('--runs <n>', 'stored runs to seed where a bench has a runs data set (dashboard)', naturalNumber)
    .addOption(jsonOption())
    .action(async (names: string[], options: { scale: number; runs?: number; json?: boolean }) => {
      const chosen = names.length ? names : Object.keys(BENCHES);
      const unknown = chosen.filter((n) => !BENCHES[n]);
      if (unknown.length) throw usageError(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
      const ran: { name: string; seconds: number }[] = [];
      for (const name of chosen) {
        const started = performance.now();
        await (
          await BENCHES[name]!()
        )({ scale: options.scale, ...(options.runs !== undefined ? { runs: options.runs } : {}) });
        ran.push({ name, seconds: Math.round(performance.now() - started) / 1000 });
      }
      if (options.json) writeJson({ scale: options.scale, runs: options.runs ?? null, benchmarks: ran });
    });
}
