// For specs (`@obs/telemetry/testing`): the real SDK with an in-memory exporter,
// as a service's `--require` preload starts it with OTLP. Import it before the
// code under test.
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry } from '../sdk';

export interface InMemoryTelemetry {
  exporter: InMemorySpanExporter;
  /** Call before reading `exporter`: spans end asynchronously. */
  flush(): Promise<void>;
}

/** Starts tracing once per process (a second call returns the same exporter). */
export function startInMemoryTelemetry(serviceName: string): InMemoryTelemetry {
  running ??= start(serviceName);
  return running;
}

let running: InMemoryTelemetry | undefined;

function start(serviceName: string): InMemoryTelemetry {
  const exporter = new InMemorySpanExporter();
  const spanProcessor = new SimpleSpanProcessor({ exporter });
  startTelemetry({ serviceName, serviceVersion: 'test', spanProcessors: [spanProcessor] });
  // Node's own modules (node:http) are patched under Jest too; packages Jest loads
  // through its own module registry (pino, pg, express) are not.
  return { exporter, flush: () => spanProcessor.forceFlush() };
}
