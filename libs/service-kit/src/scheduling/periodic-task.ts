/**
 * Runs `task` every `intervalMs`, never two passes at once (a tick that finds one
 * running skips), and logs a failure instead of throwing: the next tick retries.
 * `stop()` cancels the ticks and waits for a pass in progress, so a Nest
 * provider can call it from `onModuleDestroy`, before the database closes.
 *
 * Background work of a service (sweeps, reconciliation) is built on it so each
 * one stays a few lines saying what it does and how often.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly task: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Starts the ticks; `runNow` also starts a pass at once. Ticks never keep the process alive. */
  start({ runNow = false }: { runNow?: boolean } = {}): void {
    this.timer = setInterval(() => this.runOnce(), this.intervalMs);
    this.timer.unref();
    if (runNow) this.runOnce();
  }

  /** Cancels the ticks and resolves once the pass in progress, if any, has finished. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private runOnce(): void {
    this.running ??= this.task()
      .then(() => undefined, this.onError)
      .finally(() => (this.running = undefined));
  }
}
