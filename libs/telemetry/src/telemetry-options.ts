import type { DestinationStream } from 'pino';

export interface TelemetryModuleOptions {
  /** The service's name: the `service` label on every metric and the `service` field of every log line. */
  serviceName: string;
  /** Minimum pino level (`trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent`); default `info`. */
  logLevel?: string;
  /** Where log lines go; default buffered stdout. Tests pass a stream they read. */
  logOutput?: DestinationStream & { flushSync(): void };
}

export const TELEMETRY_OPTIONS = Symbol('TELEMETRY_OPTIONS');
