// The telemetry library's public surface. The SDK preload has its own entry
// (`@obs/telemetry/sdk`) because it must load before Nest does.
export { TelemetryModule } from './telemetry.module';
export type { TelemetryModuleOptions } from './telemetry-options';
export { TRACE_ID_HEADER, useRequestTelemetry } from './http/request-telemetry';
export { routeTemplate, UNMATCHED_ROUTE } from './http/route-template';
export { setRequestUser } from './http/request-user';
export {
  DB_BUCKETS_SECONDS,
  DB_CLIENT_CONNECTION_COUNT,
  DB_CLIENT_CONNECTION_MAX,
  DB_CLIENT_CONNECTION_PENDING_REQUESTS,
  DB_CLIENT_CONNECTION_WAIT_TIME_SECONDS,
  DB_CLIENT_OPERATION_DURATION_SECONDS,
  LATENCY_BUCKETS_SECONDS,
  UPSTREAM_REQUEST_DURATION_SECONDS,
  UPSTREAM_REQUESTS_TOTAL,
} from './metrics/metric-names';
export type { UpstreamLabel } from './metrics/upstream-metrics';
// Business metrics, spans and logs are declared with the same libraries the module wires up.
export {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
export { Span, Traceable, TraceService } from 'nestjs-otel';
export { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
