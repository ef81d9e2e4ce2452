/** Codes of {@link ConfigError}. */
export type ConfigErrorCode = 'CONFIG_INVALID';

/** One wrong setting: the environment key and the rule it broke — never its value. */
export interface ConfigProblem {
  readonly key: string;
  readonly rule: string;
}

/**
 * Thrown by `loadConfig` when the environment does not satisfy the schema.
 * The message lists every wrong key with its rule, one per line, and never a
 * value: settings hold secrets (database passwords, tokens), and boot errors
 * end up in logs. The zod error is deliberately not kept as `cause`.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((problem) => `  - ${problem.key}: ${problem.rule}`);
    super(`Invalid configuration: ${problems.length} setting${problems.length === 1 ? ' is' : 's are'} wrong (values not shown)\n${lines.join('\n')}`);
    this.problems = Object.freeze(problems.map((problem) => Object.freeze({ ...problem })));
  }
}
