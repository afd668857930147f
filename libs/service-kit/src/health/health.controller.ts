import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { FaultRegistry } from '../faults/fault-registry';
import { Readiness } from './readiness';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
    private readonly faults: FaultRegistry,
  ) {}

  /** The process answers: restarting it would not help anything. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Storage and what the service cannot work without are usable, and it is not shutting down. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.accepting(),
      ...this.readiness.entries().map(
        ([name, check]) =>
          () =>
            this.probe(name, check),
      ),
    ]);
  }

  private accepting() {
    const session = this.indicators.check('process');
    if (this.readiness.isShuttingDown) return session.down({ reason: 'shutting down' });
    if (this.faults.pick('unavailable'))
      return session.down({ reason: 'fault injected: unavailable' });
    return session.up();
  }

  private async probe(name: string, check: () => Promise<void>) {
    const session = this.indicators.check(name);
    try {
      await check();
      return session.up();
    } catch (error) {
      return session.down({ reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
