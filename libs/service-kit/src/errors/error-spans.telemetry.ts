// Starts the real SDK with an in-memory exporter for error-spans.spec.ts. A module of its
// own because imports run before a module's body: imported first, it starts tracing before
// Express and Nest load node:http.
import { startInMemoryTelemetry } from '@obs/telemetry/testing';

export const { exporter, flush } = startInMemoryTelemetry('product-service');
