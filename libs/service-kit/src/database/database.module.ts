import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiTokenRepository, createDataSource, type TokenChangeRecorder } from '@auditstack/audit-core/server';

export interface DatabaseModuleOptions {
  url: string;
  applicationName: string;
  /** @defaultValue 10 */
  poolMax?: number;
  /**
   * Start even when PostgreSQL cannot be reached (the gateway's `auto` and
   * `jsonl` backends spool events meanwhile): the DataSource is handed out
   * uninitialised — its queries fail until a background retry connects.
   * @defaultValue false (boot fails after TypeORM's retries)
   */
  startWithoutDatabase?: boolean;
  /** Seconds between connection attempts after a boot without the database. @defaultValue 5 */
  reconnectSeconds?: number;
  /** Records token creations and revocations as evidence (`recordTokenChange` of evidence-store); without it the repository only authenticates. */
  tokenChangeRecorder?: TokenChangeRecorder;
}

/** Connects, then makes sure this month's and next month's partitions exist. */
async function connect(dataSource: DataSource): Promise<DataSource> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  await dataSource.query('SELECT audit.ensure_partitions(1)');
  return dataSource;
}

/**
 * Keeps trying to connect a DataSource that could not connect at boot; stops
 * once connected or when the process no longer needs it (the timer is unref'd).
 */
function connectInBackground(dataSource: DataSource, seconds: number, logger: Logger): void {
  const attempt = (): void => {
    connect(dataSource).then(
      () => logger.log('PostgreSQL reachable again: database connected'),
      (error: Error) => {
        logger.warn(`PostgreSQL still unreachable (${error.message}); next attempt in ${seconds} s`);
        setTimeout(attempt, seconds * 1000).unref();
      },
    );
  };
  setTimeout(attempt, seconds * 1000).unref();
}

/**
 * The service's DataSource (TypeORM over `pg`) and the repositories built on it.
 * At boot it makes sure the monthly partitions for this month and the next exist.
 */
@Module({})
export class DatabaseModule {
  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...createDataSource(options).options, manualInitialization: options.startWithoutDatabase === true }),
          dataSourceFactory: async (dataSourceOptions) => {
            const dataSource = new DataSource(dataSourceOptions!);
            if (!options.startWithoutDatabase) return connect(dataSource);
            try {
              return await connect(dataSource);
            } catch (error) {
              const logger = new Logger('Database');
              logger.warn(`PostgreSQL unreachable at boot (${(error as Error).message}); starting without it and retrying in the background`);
              connectInBackground(dataSource, options.reconnectSeconds ?? 5, logger);
              return dataSource;
            }
          },
        }),
      ],
      providers: [
        { provide: ApiTokenRepository, inject: [DataSource], useFactory: (ds: DataSource) => new ApiTokenRepository(ds, options.tokenChangeRecorder) },
      ],
      exports: [ApiTokenRepository],
    };
  }
}
