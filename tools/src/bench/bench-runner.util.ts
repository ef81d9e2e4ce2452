/** Options every benchmark receives. */
export interface BenchOptions {
  /** Scale factor from `--scale` (1 = the default sizes). */
  readonly scale: number;
  /** Stored runs to seed, from `--runs` (benches with a runs data set; unset = their default × scale). */
  readonly runs?: number;
}

/** One benchmark: prints its figures (each with a ratio against a baseline measured in the same run). */
export type BenchRunner = (options: BenchOptions) => Promise<void>;
