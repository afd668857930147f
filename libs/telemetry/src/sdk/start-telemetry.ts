import { randomUUID } from 'node:crypto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { startNodeSdk } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { reportExportErrorsRarely } from './export-errors';
import { serviceInstrumentations } from './instrumentations';
import { samplerFromEnv } from './sampler';

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
}

// Shared through globalThis because the preload and the application are separate bundles.
const RUNNING = Symbol.for('obs.telemetry.running');
type TelemetryGlobal = typeof globalThis & { [RUNNING]?: RunningTelemetry };

const NOOP: RunningTelemetry = { shutdown: async () => undefined };

/**
 * Starts the OpenTelemetry SDK from the standard OTEL_* variables. Call it before
 * anything else is required (the `--require` preload), so http, express, Nest,
 * undici, pg and pino are patched when they load.
 */
export function startTelemetry(options: StartTelemetryOptions): RunningTelemetry {
  const env = options.env ?? process.env;
  const global = globalThis as TelemetryGlobal;
  if (global[RUNNING]) return global[RUNNING];
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return (global[RUNNING] = NOOP);

  reportExportErrorsRarely(env.OTEL_SERVICE_NAME ?? options.serviceName);
  const sdk = startNodeSdk({
    logLevel: 'none',
    // Lowest priority: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override these.
    baseResource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: options.serviceName,
        [ATTR_SERVICE_VERSION]: options.serviceVersion,
        'deployment.environment.name': env.NODE_ENV ?? 'development',
        'service.instance.id': randomUUID(),
      }),
    ),
    sampler: samplerFromEnv(env),
    spanProcessors: options.spanProcessors,
    // Metrics are scraped by Prometheus from /metrics; OTLP metrics would double them.
    metricReaders: [],
    // Logs go to stdout as JSON; OTLP log export only when explicitly asked for.
    logRecordProcessors: env.OTEL_LOGS_EXPORTER ? undefined : [],
    instrumentations: serviceInstrumentations({ sendLogs: Boolean(env.OTEL_LOGS_EXPORTER) }),
  });

  let stopping: Promise<void> | undefined;
  const running: RunningTelemetry = {
    shutdown: () =>
      (stopping ??= Promise.race([sdk.shutdown().catch(() => undefined), flushDeadline()])),
  };
  return (global[RUNNING] = running);
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
