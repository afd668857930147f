import { randomUUID } from 'node:crypto';
import {
  type Context,
  context,
  logs,
  propagation,
  type Span,
  type SpanKind,
  trace,
  type Tracer,
  TraceFlags,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import {
  defaultResource,
  detectResources,
  hostDetector,
  processDetector,
  type Resource,
  resourceAttributesEnvDetector,
  resourceFromAttributes,
  serviceNameEnvDetector,
} from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type Sampler,
  SamplingDecision,
  SimpleSpanProcessor,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { reportExportErrorsRarely } from './export-errors';
import { serviceInstrumentations } from './instrumentations';
import { otlpLogProvider } from './otlp-logs';
import { numberFromEnv, otlpProtocol } from './otel-env';
import { samplerFromEnv } from './sampler';
import { TraceIdHandover } from './trace-id-handover';

export interface StartTelemetryOptions {
  /** `service.name` unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES set it. */
  serviceName: string;
  /** `service.version` unless OTEL_RESOURCE_ATTRIBUTES sets it. */
  serviceVersion: string;
  /** Replaces the exporters chosen by OTEL_TRACES_EXPORTER; tests pass an in-memory exporter here. */
  spanProcessors?: SpanProcessor[];
  /** Defaults to `process.env`; tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningTelemetry {
  /** Flushes every pending span, then stops the SDK. Safe to call more than once. */
  shutdown(): Promise<void>;
  /** See `startSpanSamplingFirst`. */
  startSpanSamplingFirst(tracer: Tracer, name: string, kind: SpanKind, parent: Context): Span;
}

// Shared through globalThis because the preload and the application are separate bundles.
const RUNNING = Symbol.for('obs.telemetry.running');
type TelemetryGlobal = typeof globalThis & { [RUNNING]?: RunningTelemetry };

const NOOP: RunningTelemetry = {
  shutdown: async () => undefined,
  startSpanSamplingFirst: (tracer, name, kind, parent) => tracer.startSpan(name, { kind }, parent),
};

/**
 * Starts tracing from the standard OTEL_* variables. Call it before anything
 * else is required (the `--require` preload), so pino (and pg, when asked for)
 * are patched when they load.
 *
 * Built from the SDK's parts rather than `@opentelemetry/sdk-node`'s
 * `startNodeSdk`, which loads every exporter it could be configured with (gRPC,
 * Zipkin, Prometheus, OTLP metrics and logs: ~500 modules and ~40 MB per
 * service) to use one (bench/README.md).
 */
export function startTelemetry(options: StartTelemetryOptions): RunningTelemetry {
  const env = options.env ?? process.env;
  const global = globalThis as TelemetryGlobal;
  if (global[RUNNING]) return global[RUNNING];
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return (global[RUNNING] = NOOP);

  reportExportErrorsRarely(env.OTEL_SERVICE_NAME ?? options.serviceName);
  const resource = serviceResource(options, env);
  const sendLogs = env.OTEL_LOGS_EXPORTER?.trim() === 'otlp';
  const pgQuerySpans = env.OTEL_INSTRUMENTATION_PG_ENABLED?.trim().toLowerCase() === 'true';
  registerInstrumentations({
    instrumentations: serviceInstrumentations({ sendLogs, pgQuerySpans }),
  });

  const sampler = samplerFromEnv(env);
  const ids = new TraceIdHandover();
  const tracerProvider = new TracerProvider({
    resource,
    sampler,
    idGenerator: ids,
    spanProcessors: options.spanProcessors ?? spanProcessorsFromEnv(env),
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(tracerProvider);
  const providers: { shutdown(): Promise<void> }[] = [tracerProvider];
  if (sendLogs) {
    const loggerProvider = otlpLogProvider(resource, env);
    logs.setGlobalLoggerProvider(loggerProvider);
    providers.push(loggerProvider);
  }

  const stop = async () =>
    void (await Promise.all(providers.map((provider) => provider.shutdown())));
  let stopping: Promise<void> | undefined;
  const running: RunningTelemetry = {
    startSpanSamplingFirst: (tracer, name, kind, parent) =>
      sampledFirst(sampler, ids, name, kind, parent, (traceId) =>
        ids.withTraceId(traceId, () => tracer.startSpan(name, { kind }, parent)),
      ),
    shutdown: () => (stopping ??= Promise.race([stop().catch(() => undefined), flushDeadline()])),
  };
  return (global[RUNNING] = running);
}

/**
 * The service's own attributes, lowest priority; then the host and process;
 * then OTEL_RESOURCE_ATTRIBUTES, and OTEL_SERVICE_NAME above all.
 */
function serviceResource(options: StartTelemetryOptions, env: NodeJS.ProcessEnv): Resource {
  const own = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: options.serviceName,
    [ATTR_SERVICE_VERSION]: options.serviceVersion,
    'deployment.environment.name': env.NODE_ENV ?? 'development',
    'service.instance.id': randomUUID(),
  });
  const detected = detectResources({
    detectors: [
      hostDetector,
      processDetector,
      resourceAttributesEnvDetector,
      serviceNameEnvDetector,
    ],
  });
  return defaultResource().merge(own).merge(detected);
}

/**
 * OTEL_TRACES_EXPORTER (`otlp`, `console`, `none`) with OTLP over HTTP in the
 * encoding OTEL_EXPORTER_OTLP_PROTOCOL names; the exporters read their endpoint
 * and headers from the standard variables themselves.
 */
function spanProcessorsFromEnv(env: NodeJS.ProcessEnv): SpanProcessor[] {
  const names = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((name) => name.trim());
  if (names.includes('none')) return [];
  return names.map((name) => {
    if (name === 'console') return new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() });
    if (name !== 'otlp')
      throw new Error(
        `OTEL_TRACES_EXPORTER: unsupported exporter "${name}" (use otlp, console or none)`,
      );
    return new BatchSpanProcessor({
      exporter:
        otlpProtocol(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') === 'http/json'
          ? new OtlpJsonTraceExporter()
          : new OtlpProtobufTraceExporter(),
      maxQueueSize: numberFromEnv(env, 'OTEL_BSP_MAX_QUEUE_SIZE'),
      maxExportBatchSize: numberFromEnv(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
      scheduledDelayMillis: numberFromEnv(env, 'OTEL_BSP_SCHEDULE_DELAY'),
      exportTimeoutMillis: numberFromEnv(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
    });
  });
}

/** An unreachable collector must not hold a stopping service past its own shutdown deadline. */
const FLUSH_DEADLINE_MS = 5_000;

function flushDeadline(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FLUSH_DEADLINE_MS).unref());
}

/**
 * Asks the sampler first, on the trace id the span will carry (the caller's,
 * or a new one): a trace it drops gets a non-recording span with that id, the
 * caller's trace state and a fresh span id, as the SDK would make it, without
 * the SDK's span start (id and attribute checks, links, its own metrics); a
 * trace it keeps is started by `start`. The SDK then asks the same sampler
 * about the same trace id and parent, and every sampler OTEL_TRACES_SAMPLER
 * can name decides from those alone, so the two answers agree.
 */
function sampledFirst(
  sampler: Sampler,
  ids: TraceIdHandover,
  name: string,
  kind: SpanKind,
  parent: Context,
  start: (traceId: string) => Span,
): Span {
  const caller = trace.getSpanContext(parent);
  const fromCaller = caller !== undefined && trace.isSpanContextValid(caller);
  const traceId = fromCaller ? caller.traceId : ids.generateTraceId();
  const { decision } = sampler.shouldSample(parent, traceId, name, kind, {}, []);
  if (decision !== SamplingDecision.NOT_RECORD) return start(traceId);
  return trace.wrapSpanContext({
    traceId,
    spanId: ids.generateSpanId(),
    traceFlags: TraceFlags.NONE,
    traceState: fromCaller ? caller.traceState : undefined,
  });
}

/**
 * A span of the SDK the preload started, asking its sampler before starting
 * it: in production 90% of traces are dropped, in the service that starts them
 * and, under the parent-based sampler, in every service behind it, and a
 * dropped trace then costs two ids rather than the SDK's span start. Without an
 * SDK, the global tracer's span.
 */
export function startSpanSamplingFirst(
  tracer: Tracer,
  name: string,
  kind: SpanKind,
  parent: Context,
): Span {
  return ((globalThis as TelemetryGlobal)[RUNNING] ?? NOOP).startSpanSamplingFirst(
    tracer,
    name,
    kind,
    parent,
  );
}

/** Flushes and stops the SDK started by the preload, if any. */
export function shutdownTelemetry(): Promise<void> {
  return (globalThis as TelemetryGlobal)[RUNNING]?.shutdown() ?? Promise.resolve();
}
