// Preloaded with `node --require ./instrumentation.js`: starts OpenTelemetry
// before Nest and the libraries it instruments are loaded.
import { startTelemetry } from '@obs/telemetry/sdk';
import { SERVICE } from './service';

startTelemetry({
  serviceName: SERVICE.serviceName,
  // Stamped by the build (webpack.config.js) from the workspace version.
  serviceVersion: process.env.SERVICE_VERSION ?? '0.0.0-dev',
});
