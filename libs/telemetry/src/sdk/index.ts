// The preload's entry point. It must not import Nest or anything instrumented:
// it runs before those modules load so that the instrumentations can patch them
// (`preloadBoundary` in eslint.config.mjs fails the lint on such an import).
export { startTelemetry, shutdownTelemetry, PRODUCTION_SAMPLING_RATIO } from './start-telemetry';
export type { StartTelemetryOptions, RunningTelemetry } from './start-telemetry';
export {
  DEFAULT_INSTRUMENTATIONS,
  KNOWN_INSTRUMENTATIONS,
  type InstrumentationName,
} from './instrumentations';
