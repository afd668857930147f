import { getBooleanFromEnv, getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { reportExportErrorsRarely } from './export-errors';
import { logsExported, selectedInstrumentations } from './instrumentations';

export interface StartTelemetryOptions {
  /** `service.name` unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES set it. */
  serviceName: string;
  /** `service.version` unless OTEL_RESOURCE_ATTRIBUTES sets it. */
  serviceVersion: string;
  /** Replaces the exporters OTEL_TRACES_EXPORTER names; tests pass an in-memory exporter here. */
  spanProcessors?: SpanProcessor[];
}

export interface RunningTelemetry {
  /** Flushes every pending span and log record, then stops the SDK. Safe to call more than once. */
  shutdown(): Promise<void>;
}

/** Ratio of new traces kept in production unless OTEL_TRACES_SAMPLER* says otherwise. */
export const PRODUCTION_SAMPLING_RATIO = 0.1;

// Shared through globalThis because the preload and the application are separate bundles.
const RUNNING = Symbol.for('obs.telemetry.running');
type TelemetryGlobal = typeof globalThis & { [RUNNING]?: RunningTelemetry };

const NOOP: RunningTelemetry = { shutdown: async () => undefined };

/**
 * Starts `NodeSDK` from `@opentelemetry/sdk-node`, configured by the standard
 * OTEL_* variables as the SDK reads them (exporters and their protocol,
 * sampler, propagators, resource detectors, span and batch limits,
 * OTEL_LOG_LEVEL, OTEL_SDK_DISABLED), with the instrumentations selected by
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS.
 * Call it before anything else is required (the `--require` preload), so the
 * instrumented modules are patched when they load. A second call is a no-op.
 *
 * Three defaults differ from the SDK's, each only while its variable is unset:
 * - metrics: no OTLP metric reader (OTEL_METRICS_EXPORTER): metrics are
 *   Prometheus', served at /metrics by the module;
 * - logs: no log exporter (OTEL_LOGS_EXPORTER): logs are JSON lines on stdout;
 * - sampling (OTEL_TRACES_SAMPLER): with NODE_ENV=production, parent-based
 *   ratio sampling of 10% of new traces (or OTEL_TRACES_SAMPLER_ARG's ratio).
 */
export function startTelemetry(options: StartTelemetryOptions): RunningTelemetry {
  const global = globalThis as TelemetryGlobal;
  if (global[RUNNING]) return global[RUNNING];
  // The SDK would skip its start too, but the instrumentations patch their modules
  // when constructed: with tracing off nothing may be constructed at all.
  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) return (global[RUNNING] = NOOP);

  reportExportErrorsRarely(getStringFromEnv('OTEL_SERVICE_NAME') ?? options.serviceName);
  const sdk = new NodeSDK({
    // The lowest priority: the SDK's resource detectors (`service.instance.id`,
    // host, process, OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME) are merged over it.
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        [ATTR_SERVICE_VERSION]: options.serviceVersion,
        'deployment.environment.name': process.env.NODE_ENV ?? 'development',
      }),
    ),
    instrumentations: selectedInstrumentations(),
    sampler: productionSampler(),
    spanProcessors: options.spanProcessors,
    ...(getStringFromEnv('OTEL_METRICS_EXPORTER') === undefined && { metricReaders: [] }),
    ...(!logsExported() && { logRecordProcessors: [] }),
  });
  sdk.start();

  let stopping: Promise<void> | undefined;
  const running: RunningTelemetry = {
    shutdown: () =>
      (stopping ??= Promise.race([sdk.shutdown().catch(() => undefined), flushDeadline()])),
  };
  return (global[RUNNING] = running);
}

/**
 * In production, with OTEL_TRACES_SAMPLER unset: `parentbased_traceidratio` with
 * OTEL_TRACES_SAMPLER_ARG as its ratio, 0.1 when that is unset too (the
 * overhead budget). Otherwise undefined, and the SDK builds the sampler
 * OTEL_TRACES_SAMPLER names (its own default, `parentbased_always_on`, keeps
 * every trace a developer makes).
 */
export function productionSampler(): Sampler | undefined {
  if (getStringFromEnv('OTEL_TRACES_SAMPLER') !== undefined) return undefined;
  if (process.env.NODE_ENV !== 'production') return undefined;
  const ratio = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG') ?? PRODUCTION_SAMPLING_RATIO;
  return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
}

/** An unreachable collector must not hold a stopping service past its own shutdown deadline. */
const FLUSH_DEADLINE_MS = 5_000;

function flushDeadline(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, FLUSH_DEADLINE_MS).unref());
}

/** Flushes and stops the SDK started by the preload, if any. */
export function shutdownTelemetry(): Promise<void> {
  return (globalThis as TelemetryGlobal)[RUNNING]?.shutdown() ?? Promise.resolve();
}
