import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ApiTokenRepository, createDataSource } from '@auditstack/audit-core/server';

export interface DatabaseModuleOptions {
  url: string;
  applicationName: string;
  /** @defaultValue 10 */
  poolMax?: number;
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
          useFactory: () => createDataSource(options).options,
          dataSourceFactory: async (dataSourceOptions) => {
            const dataSource = await new DataSource(dataSourceOptions!).initialize();
            await dataSource.query('SELECT audit.ensure_partitions(1)');
            return dataSource;
          },
        }),
      ],
      providers: [{ provide: ApiTokenRepository, inject: [DataSource], useFactory: (ds: DataSource) => new ApiTokenRepository(ds) }],
      exports: [ApiTokenRepository],
    };
  }
}
