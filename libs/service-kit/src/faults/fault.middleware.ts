import { HttpException, Injectable, type NestMiddleware } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from '@obs/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { toErrorBody } from '../errors/http-error.filter';
import type { ActiveFault, FaultKind } from './fault.dto';
import { FaultRegistry, markFaulted } from './fault-registry';

/** Liveness, admin and metrics must keep answering while a fault is active. */
const EXEMPT_PATH = /^\/(health\/live|admin\/|metrics)/;

/** Applies the request faults: unavailable, latency and error-rate. */
@Injectable()
export class FaultMiddleware implements NestMiddleware {
  constructor(
    private readonly faults: FaultRegistry,
    @InjectPinoLogger(FaultMiddleware.name) private readonly logger: PinoLogger,
  ) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    const path = request.originalUrl;
    if (EXEMPT_PATH.test(path)) return next();
    const onPath = (fault: ActiveFault) => !fault.route || path.startsWith(fault.route);

    if (this.faults.pick('unavailable')) {
      return this.fail(response, 'unavailable', 503);
    }
    const latency = this.faults.pick('latency', onPath);
    if (latency) {
      this.mark('latency');
      await sleep(latency.delayMs);
    }
    const error = this.faults.pick('error-rate', onPath);
    if (error) return this.fail(response, 'error-rate', error.statusCode ?? 500);
    next();
  }

  private fail(response: Response, kind: FaultKind, status: number): void {
    this.mark(kind);
    response.status(status).json(toErrorBody(new HttpException(`fault injected: ${kind}`, status)));
  }

  /** On the request's span, and a line of its own in the request's trace. */
  private mark(kind: FaultKind): void {
    markFaulted(kind);
    this.logger.warn({ fault: kind }, 'fault injected');
  }
}
