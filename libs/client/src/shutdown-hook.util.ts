import type { EventEmitter } from './event.emitter';

/** Options of {@link flushOnExit}. */
export interface FlushOnExitOptions {
  /** Signals that flush, then end the process as the signal would. @defaultValue ['SIGTERM', 'SIGINT'] */
  readonly signals?: readonly NodeJS.Signals[];
  /** Longest time spent delivering on a signal (a container's grace period is often 10–30 s). @defaultValue 10000 */
  readonly timeoutMs?: number;
}

/**
 * Node only (opt-in, outside the browser-safe core): closes `emitter` —
 * sending what is buffered — when the event loop empties (`beforeExit`) and
 * on SIGTERM/SIGINT, then lets the signal end the process. Returns a function
 * that removes the hooks.
 */
export function flushOnExit(emitter: EventEmitter, options: FlushOnExitOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.timeoutMs ?? 10_000;
  let closing: Promise<unknown> | null = null;
  const close = (): Promise<unknown> => (closing ??= emitter.close({ timeoutMs }).catch(() => undefined));

  const onBeforeExit = (): void => {
    // beforeExit fires again once the flush's own work is done: close only once.
    if (closing === null && emitter.stats().buffered > 0) void close();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    uninstall();
    void close().then(() => process.kill(process.pid, signal));
  };
  process.on('beforeExit', onBeforeExit);
  for (const signal of signals) process.once(signal, onSignal);

  function uninstall(): void {
    process.off('beforeExit', onBeforeExit);
    for (const signal of signals) process.off(signal, onSignal);
  }
  return uninstall;
}
