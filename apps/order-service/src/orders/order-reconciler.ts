import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { PeriodicTask, SERVICE_CONFIG } from '@obs/service-kit';
import { InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import type { OrderServiceConfig } from '../service';
import { OrdersService } from './orders.service';

/**
 * At start and every ORDER_RECONCILE_INTERVAL_MS, finishes the orders a crash
 * left pending or cancelling (OrdersService.reconcile). Every step it takes is
 * idempotent, so replicas running it at once, or a live request racing it, do
 * no harm.
 */
@Injectable()
export class OrderReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly reconcile: PeriodicTask;

  constructor(
    orders: OrdersService,
    @Inject(SERVICE_CONFIG) config: OrderServiceConfig,
    @InjectPinoLogger(OrderReconciler.name) logger: PinoLogger,
  ) {
    this.reconcile = new PeriodicTask(
      () => orders.reconcile(),
      config.ORDER_RECONCILE_INTERVAL_MS,
      (error) => logger.error({ err: error }, 'reconciling orders failed; retrying'),
    );
  }

  onApplicationBootstrap(): void {
    this.reconcile.start({ runNow: true });
  }

  /** Stops before the database closes, letting a pass in progress finish. */
  onModuleDestroy(): Promise<void> {
    return this.reconcile.stop();
  }
}
