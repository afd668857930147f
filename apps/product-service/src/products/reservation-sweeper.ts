import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PeriodicTask, SERVICE_CONFIG } from '@obs/service-kit';
import { InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import type { ProductServiceConfig } from '../service';
import { ProductsService } from './products.service';

/**
 * Every RESERVATION_SWEEP_INTERVAL_MS, returns the stock of reservations whose
 * order never confirmed them: an order-service that crashed between reserving
 * and saving, or a client that gave up. Safe with several replicas: each
 * reservation expires in one conditional update.
 */
@Injectable()
export class ReservationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly sweep: PeriodicTask;

  constructor(
    products: ProductsService,
    @Inject(SERVICE_CONFIG) config: ProductServiceConfig,
    @InjectPinoLogger(ReservationSweeper.name) logger: PinoLogger,
  ) {
    this.sweep = new PeriodicTask(
      () => products.expireOverdue(),
      config.RESERVATION_SWEEP_INTERVAL_MS,
      (error) => logger.error({ err: error }, 'sweeping expired reservations failed; retrying'),
    );
  }

  onApplicationBootstrap(): void {
    this.sweep.start();
  }

  /** Stops before the database closes, letting a sweep in progress finish. */
  onModuleDestroy(): Promise<void> {
    return this.sweep.stop();
  }
}
