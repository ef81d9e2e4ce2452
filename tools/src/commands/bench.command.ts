import type { Command } from 'commander';
import type { BenchRunner } from '../bench/bench-runner.util';
import { runEngineBench } from '../bench/engine.bench';
import { runEvidenceBench } from '../bench/evidence.bench';
import { runGatewayBench } from '../bench/gateway.bench';

/** Benchmarks by name. To add one: import its runner above and add one line `name: runNameBench,` here. */
export const BENCHES: Readonly<Record<string, BenchRunner>> = {
  evidence: runEvidenceBench,
  engine: runEngineBench,
  gateway: runGatewayBench,
};

/** `auditstack bench <name…>` (`npm run bench -- evidence`). Benchmarks, not tests: they print figures and never fail on them. */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description(`run benchmarks: ${Object.keys(BENCHES).join(', ')} (default: all)`)
    .argument('[names...]', 'benchmarks to run')
    .option('--scale <factor>', 'multiply the default sizes', (v) => Number(v), 1)
    .action(async (names: string[], options: { scale: number }) => {
      const chosen = names.length ? names : Object.keys(BENCHES);
      const unknown = chosen.filter((n) => !BENCHES[n]);
      if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
      if (!(options.scale > 0)) throw new Error('--scale must be a positive number');
      for (const name of chosen) await BENCHES[name]!({ scale: options.scale });
    });
}
