// Import this first in a spec that checks spans: it starts the real SDK with an
// in-memory exporter, as a service's `--require` preload starts it with OTLP.
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import * as http from 'node:http';
import { startTelemetry } from './sdk';
import { isUntracedRequest } from './sdk/instrumentations';

export const exporter = new InMemorySpanExporter();
export const spanProcessor = new SimpleSpanProcessor({ exporter });

startTelemetry({
  serviceName: 'test-service',
  serviceVersion: 'test',
  spanProcessors: [spanProcessor],
  env: { NODE_ENV: 'test' },
});

// Jest loads modules through its own registry, so the SDK's require hooks never
// see node:http and no server span would be made. Apply the same instrumentation
// to it directly, through the entry point the SDK offers for that.
const httpInstrumentation = new HttpInstrumentation({
  ignoreIncomingRequestHook: isUntracedRequest,
});
for (const definition of httpInstrumentation.getModuleDefinitions()) {
  if (definition.name === 'http') definition.patch?.(http);
}
