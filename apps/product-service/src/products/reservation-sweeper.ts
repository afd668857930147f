import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SERVICE_CONFIG, type ServiceConfig } from '@obs/service-kit';
import { InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import { ProductsService } from './products.service';

/**
 * Every RESERVATION_SWEEP_INTERVAL_MS, returns the stock of reservations whose
 * order never confirmed them: an order-service that crashed between reserving
 * and saving, or a client that gave up. Safe with several replicas: each
 * reservation expires in one conditional update.
 */
@Injectable()
export class ReservationSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  /** The sweep in progress; a tick that finds one running skips. */
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly products: ProductsService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @InjectPinoLogger(ReservationSweeper.name) private readonly logger: PinoLogger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweep(), this.config.RESERVATION_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops before the database closes, letting a sweep in progress finish. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private sweep(): void {
    this.sweeping ??= this.products
      .expireOverdue()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'sweeping expired reservations failed; retrying');
      })
      .finally(() => (this.sweeping = undefined));
  }
}
