import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { routeTemplate } from '../metrics/http-metrics';
import type { TelemetryModuleOptions } from '../telemetry-options';

/** Paths redacted wherever they appear in a log line: credentials never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.accessToken',
  '*.token',
  '*.authorization',
  '*.*.password',
  '*.*.accessToken',
];

const UNLOGGED_PATH = /^\/(metrics|health\/)/;

/** nestjs-pino settings: one JSON line per event, one per request, secrets redacted. */
export function loggerParams(options: TelemetryModuleOptions): Params {
  return {
    pinoHttp: {
      level: options.logLevel ?? 'info',
      base: { service: options.serviceName },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      autoLogging: { ignore: (request) => UNLOGGED_PATH.test(request.url ?? '') },
      // Request logs carry the contract's fields, not the raw request and response objects.
      quietReqLogger: true,
      quietResLogger: true,
      customAttributeKeys: { responseTime: 'duration_ms', reqId: 'request_id' },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500
          ? 'error'
          : response.statusCode >= 400
            ? 'warn'
            : 'info',
      customSuccessMessage: () => 'request completed',
      customErrorMessage: () => 'request failed',
      customSuccessObject: (request, response, fields: Record<string, unknown>) =>
        requestFields(request, response, fields),
      customErrorObject: (request, response, _error, fields: Record<string, unknown>) =>
        requestFields(request, response, fields),
    },
  };
}

function requestFields(
  request: IncomingMessage,
  response: ServerResponse,
  fields: Record<string, unknown>,
) {
  // `fields` holds pino-http's own `res` object and timing; only the timing is kept.
  const { res: _response, ...timingAndError } = fields;
  return {
    ...timingAndError,
    method: request.method,
    route: routeTemplate(request as Parameters<typeof routeTemplate>[0]),
    status_code: response.statusCode,
  };
}
