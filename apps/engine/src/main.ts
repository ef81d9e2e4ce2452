import 'reflect-metadata';
import { bootstrapService } from '@auditstack/service-kit';
import { loadEngineConfig } from './config/engine.config';
import { EngineModule } from './engine.module';

async function main(): Promise<void> {
  const config = loadEngineConfig();
  await bootstrapService({
    module: EngineModule.forRoot(config),
    name: 'engine',
    title: 'auditstack engine',
    description: 'Scheduled audit actions, runs, scorecards.',
    port: config.ENGINE_PORT,
    host: config.HOST,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`engine failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
