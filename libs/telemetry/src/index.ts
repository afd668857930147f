// The telemetry library's public surface. The SDK preload has its own entry
// (`@obs/telemetry/sdk`) because it must load before Nest does.
export { TelemetryModule } from './telemetry.module';
export type { TelemetryModuleOptions } from './telemetry-options';
export {
  LATENCY_BUCKETS_SECONDS,
  UNMATCHED_ROUTE,
  UPSTREAM_REQUEST_DURATION_SECONDS,
  UPSTREAM_REQUESTS_TOTAL,
} from './metrics/metric-names';
export { TRACE_ID_HEADER } from './tracing/server-span.middleware';
export type { UpstreamLabel } from './metrics/upstream-metrics';
// Business metrics and spans are declared with the same libraries the module wires up.
export {
  InjectMetric,
  makeCounterProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
export { Span } from './tracing/span.decorator';
export { TraceService } from 'nestjs-otel';
export { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
