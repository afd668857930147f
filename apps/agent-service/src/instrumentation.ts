// Preloaded with `node --require ./instrumentation.js`: starts OpenTelemetry
// before Nest and the libraries it instruments are loaded.
import { startTelemetry } from '@obs/telemetry/sdk';
import { version } from '../../../package.json';
import { SERVICE } from './service';

startTelemetry({ serviceName: SERVICE.serviceName, serviceVersion: version });
