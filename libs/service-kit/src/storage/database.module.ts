import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { join } from 'node:path';
import { SERVICE_CONFIG } from '../config/config.token';
import type { ServiceConfig } from '../config/service-config';
import { Readiness } from '../health/readiness';
import { type OpenDatabase, openDatabase } from './database';
import { DatabaseMetrics, databaseMetricProviders } from './database-metrics';

/** Injection token of the service's `Database`. */
export const DATABASE = Symbol('DATABASE');
const OPEN_DATABASE = Symbol('OPEN_DATABASE');

export interface DatabaseModuleOptions {
  schema: Record<string, unknown>;
  migrationsFolder: string;
}

/** The service's own database, migrated at start, checked by readiness, closed at shutdown. */
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(OPEN_DATABASE) private readonly database: OpenDatabase<Record<string, unknown>>,
  ) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        ...databaseMetricProviders,
        DatabaseMetrics,
        {
          provide: OPEN_DATABASE,
          inject: [SERVICE_CONFIG, Readiness, DatabaseMetrics],
          useFactory: async (
            config: ServiceConfig,
            readiness: Readiness,
            metrics: DatabaseMetrics,
          ) => {
            const database = await openDatabase({
              serviceName: config.serviceName,
              schema: options.schema,
              migrationsFolder: options.migrationsFolder,
              databaseUrl: config.DATABASE_URL,
              dataDir: join(config.DATA_DIR, config.serviceName),
              metrics,
            });
            readiness.register('database', database.ping);
            return database;
          },
        },
        {
          provide: DATABASE,
          inject: [OPEN_DATABASE],
          useFactory: (database: OpenDatabase<never>) => database.db,
        },
      ],
      exports: [DATABASE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
