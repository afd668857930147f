// For specs (`@obs/telemetry/testing`): the real SDK with an in-memory exporter,
// as a service's `--require` preload starts it with OTLP. Import it before the
// code under test.
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
// The module object itself (not a namespace copy), so the patch reaches every caller.
import http from 'node:http';
import { startTelemetry } from '../sdk';
import { isUntracedRequest } from '../sdk/instrumentations';

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
  startTelemetry({
    serviceName,
    serviceVersion: 'test',
    spanProcessors: [spanProcessor],
    env: { NODE_ENV: 'test' },
  });
  // Jest loads modules through its own registry, so the SDK's require hooks never
  // see node:http and no server or client span would be made. Apply the same
  // instrumentation to it directly, through the entry point the SDK offers for that.
  const httpInstrumentation = new HttpInstrumentation({
    ignoreIncomingRequestHook: isUntracedRequest,
  });
  for (const definition of httpInstrumentation.getModuleDefinitions()) {
    if (definition.name === 'http') definition.patch?.(http);
  }
  return { exporter, flush: () => spanProcessor.forceFlush() };
}
