// A Node process that emits lifecycle events through the SDK with flushOnExit installed, for the
// emitter's integration spec. MODE=beforeExit: emits and lets the event loop empty; MODE=sigterm:
// emits, says "emitted" on stdout and waits for SIGTERM. Nothing is flushed explicitly.
import { createEventEmitter } from '@auditstack/client';
import { flushOnExit } from '@auditstack/client/node';

const count = Number(process.env['EVENTS']);
const tag = String(process.env['ENGINE_ID']);
const emitter = createEventEmitter({
  client: { baseUrl: String(process.env['GATEWAY_URL']), token: String(process.env['AUDITSTACK_TOKEN']) },
  batchSize: 10_000,
  flushIntervalMs: 3_600_000,
});
flushOnExit(emitter, { timeoutMs: 20_000 });

void (async () => {
  for (let i = 0; i < count; i++) {
    await emitter.emitLifecycle({
      ts: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      action: 'start',
      actor: 'system',
      engine_id: tag,
      metadata: { reason: 'request' },
    });
  }
  if (process.env['MODE'] === 'sigterm') {
    setInterval(() => undefined, 60_000);
    process.stdout.write('emitted\n');
  }
})();
