import { type IdGenerator, RandomIdGenerator } from '@opentelemetry/sdk-trace';

/**
 * The SDK's random ids, with one addition: the trace id of the next root span
 * can be handed over. The server span middleware asks the sampler about a new
 * trace before the SDK starts its span, so that a dropped trace (90% in
 * production) costs two ids instead of the SDK's span start; the kept ones then
 * get the very trace id the sampler judged.
 */
export class TraceIdHandover implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  private handedOver: string | undefined;

  generateTraceId(): string {
    const id = this.handedOver ?? this.random.generateTraceId();
    this.handedOver = undefined;
    return id;
  }

  generateSpanId(): string {
    return this.random.generateSpanId();
  }

  /** Runs `start` with `traceId` as the next trace id; never leaves it for a later span. */
  withTraceId<T>(traceId: string, start: () => T): T {
    this.handedOver = traceId;
    try {
      return start();
    } finally {
      this.handedOver = undefined;
    }
  }
}
