import 'reflect-metadata';
import { bootstrapService } from '@auditstack/service-kit';
import { loadGatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  await bootstrapService({
    module: GatewayModule.forRoot(config),
    name: 'gateway',
    title: 'auditstack gateway',
    description: 'Lifecycle and tool-governance events, digests, evidence.',
    port: config.GATEWAY_PORT,
    host: config.HOST,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
