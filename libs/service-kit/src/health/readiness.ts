import { Injectable } from '@nestjs/common';

/** A dependency the service cannot work without; throws when it is not usable. */
export type ReadinessCheck = () => Promise<void>;

/** What /health/ready verifies, registered by the modules that own each dependency. */
@Injectable()
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** From SIGTERM on the service reports not ready, so load balancers stop sending it work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }
}
