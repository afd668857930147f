// The preload's entry point. It must not import Nest or anything instrumented:
// it runs before those modules load so that the instrumentations can patch them.
export { startTelemetry, shutdownTelemetry } from './start-telemetry';
export type { StartTelemetryOptions, RunningTelemetry } from './start-telemetry';
