import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { LogController } from 'fastify';
import { CONTRACT_OPTIONS, type ContractOptions } from '../contract/contract.module';
import { registerHttpProtection } from '../contract/http-protection.util';
import { buildOpenApiDocument } from '../contract/openapi-document.util';
import { clientErrorsAsProblems, frameworkErrorsAsProblems, MAX_PATH_PARAM_LENGTH } from '../contract/fastify-errors.util';
import { createServiceLogger, PinoLoggerService } from '../logging/pino-logger.service';

export interface ServiceBootOptions {
  /** Root module of the service. */
  module: Parameters<typeof NestFactory.create>[0];
  /** `engine` or `gateway`: names the logs and the OpenAPI document. */
  name: string;
  title: string;
  description: string;
  port: number;
  host: string;
  /** Largest accepted request body. @defaultValue 1 MiB */
  bodyLimit?: number;
}

/**
 * Creates and starts a service on Fastify: JSON logs, OpenAPI at `/docs`,
 * graceful shutdown on SIGTERM/SIGINT (in-flight requests finish, then
 * modules' shutdown hooks run).
 */
export async function bootstrapService(options: ServiceBootOptions): Promise<NestFastifyApplication> {
  const logger = createServiceLogger(options.name);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // Per-request info lines would drown the logs under ingest load; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    trustProxy: false,
    // Errors answered before Nest (bad URL encoding, long path segments, oversized headers) are problems too.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: frameworkErrorsAsProblems,
    clientErrorHandler: clientErrorsAsProblems,
  });
  const app = await NestFactory.create<NestFastifyApplication>(options.module, adapter, {
    logger: new PinoLoggerService(logger),
  });
  app.enableShutdownHooks();
  const contract = contractOf(app);
  if (contract) {
    await registerHttpProtection(app, contract);
    // The document served at /docs is the one committed in openapi/ (both are built from the route contracts).
    SwaggerModule.setup('docs', app, buildOpenApiDocument(contract) as unknown as Parameters<typeof SwaggerModule.setup>[2]);
  } else {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1').addBearerAuth().build(),
    );
    SwaggerModule.setup('docs', app, document);
  }
  await app.listen({ port: options.port, host: options.host });
  logger.info({ url: await app.getUrl() }, `${options.name} listening`);
  return app;
}

/** The service's {@link ContractOptions} when its module imports `ContractModule`. */
function contractOf(app: NestFastifyApplication): ContractOptions | null {
  try {
    return app.get<ContractOptions>(CONTRACT_OPTIONS, { strict: false });
  } catch {
    return null;
  }
}
