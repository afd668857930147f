import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '@obs/service-kit';
import { InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import { OrdersService } from './orders.service';

/**
 * At start and every ORDER_RECONCILE_INTERVAL_MS, finishes the orders a crash
 * left pending or cancelling (OrdersService.reconcile). Every step it takes is
 * idempotent, so replicas running it at once, or a live request racing it, do
 * no harm.
 */
@Injectable()
export class OrderReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  /** The pass in progress; a tick that finds one running skips. */
  private running: Promise<void> | undefined;

  constructor(
    private readonly orders: OrdersService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @InjectPinoLogger(OrderReconciler.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.reconcile(), this.config.ORDER_RECONCILE_INTERVAL_MS);
    this.timer.unref();
    this.reconcile();
  }

  /** Stops before the database closes, letting a pass in progress finish. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private reconcile(): void {
    this.running ??= this.orders
      .reconcile()
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'reconciling orders failed; retrying');
      })
      .finally(() => (this.running = undefined));
  }
}
