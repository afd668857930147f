import { diag } from '@opentelemetry/api';
import { getStringListFromEnv } from '@opentelemetry/core';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { UNTRACED_PATH } from '../http/polled-paths';

/**
 * Query parameters whose values never reach a span (`url.query`, `url.full`):
 * the http instrumentation's own defaults, which an explicit list replaces,
 * and the credentials the logs redact too.
 */
const REDACTED_QUERY_PARAMS = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'token',
  'access_token',
  'accessToken',
  'password',
];

/**
 * Every instrumentation the preload knows, by the short name
 * `OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `OTEL_NODE_DISABLED_INSTRUMENTATIONS`
 * use (the package name without `@opentelemetry/instrumentation-`, as in
 * `@opentelemetry/auto-instrumentations-node`). Each is built only when
 * selected: an instrumentation patches its module as soon as it is constructed.
 */
const INSTRUMENTATIONS = {
  /** Server spans for every request, client spans for node:http calls (service-kit's UpstreamClient). */
  http: () =>
    new HttpInstrumentation({
      // Probes and scrapes would outnumber real requests and tell nothing.
      ignoreIncomingRequestHook: (request) => UNTRACED_PATH.test(request.url ?? ''),
      // A call outside any request (a start-up task) would start a trace of its own.
      requireParentforOutgoingSpans: true,
      // headersToSpanAttributes stays unset: no header, so no credential, on any span.
      redactedQueryParamsServer: REDACTED_QUERY_PARAMS,
      redactedQueryParams: REDACTED_QUERY_PARAMS,
    }),
  /** Client spans for global fetch. */
  undici: () => new UndiciInstrumentation({ requireParentforSpans: true }),
  /** A span per SQL query (the `pg` driver, with DATABASE_URL), inside a request only. */
  pg: () => new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
  /** trace_id/span_id/trace_flags on every log line; with OTEL_LOGS_EXPORTER, log records over OTLP. */
  pino: () => new PinoInstrumentation({ disableLogSending: !logsExported() }),
  /** A span per Express middleware and router layer: detail most traces do not need. */
  express: () => new ExpressInstrumentation(),
  /** Spans for Nest's request handling and each handler. */
  'nestjs-core': () => new NestInstrumentation(),
} satisfies Record<string, () => Instrumentation>;

export type InstrumentationName = keyof typeof INSTRUMENTATIONS;

export const KNOWN_INSTRUMENTATIONS = Object.keys(INSTRUMENTATIONS) as InstrumentationName[];

/** On unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names others; express and nestjs-core only when named. */
export const DEFAULT_INSTRUMENTATIONS: InstrumentationName[] = ['http', 'undici', 'pg', 'pino'];

/**
 * The names selected by the environment, with the semantics of
 * auto-instrumentations-node: OTEL_NODE_ENABLED_INSTRUMENTATIONS (comma-separated
 * short names) replaces the default set, then OTEL_NODE_DISABLED_INSTRUMENTATIONS
 * removes names from it. An unknown name is reported on the diagnostic logger.
 */
export function selectedInstrumentationNames(): InstrumentationName[] {
  const enabled = namesFromEnv('OTEL_NODE_ENABLED_INSTRUMENTATIONS') ?? DEFAULT_INSTRUMENTATIONS;
  const disabled = new Set(namesFromEnv('OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []);
  return KNOWN_INSTRUMENTATIONS.filter((name) => enabled.includes(name) && !disabled.has(name));
}

/** The selected instrumentations, constructed (and so enabled). */
export function selectedInstrumentations(): Instrumentation[] {
  return selectedInstrumentationNames().map((name) => INSTRUMENTATIONS[name]());
}

function namesFromEnv(variable: string): InstrumentationName[] | undefined {
  const names = getStringListFromEnv(variable)?.filter(Boolean);
  if (names === undefined || names.length === 0) return undefined;
  for (const name of names) {
    if (!(KNOWN_INSTRUMENTATIONS as string[]).includes(name))
      diag.warn(
        `${variable}: unknown instrumentation "${name}" (known: ${KNOWN_INSTRUMENTATIONS})`,
      );
  }
  return names as InstrumentationName[];
}

/** OTEL_LOGS_EXPORTER names an exporter: the SDK then builds a logger provider for it. */
export function logsExported(): boolean {
  const exporters = getStringListFromEnv('OTEL_LOGS_EXPORTER') ?? [];
  return exporters.length > 0 && !exporters.includes('none');
}
