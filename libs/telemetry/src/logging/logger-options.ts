import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { type DestinationStream, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import { routeTemplate } from '../metrics/http-metrics';
import type { TelemetryModuleOptions } from '../telemetry-options';

/** Keys whose values are credentials: redacted at the top of a log line and two levels down. */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'accessToken', 'token'];

/** Paths redacted wherever they appear in a log line: credentials never reach the logs. */
export const REDACTED_PATHS = [
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

const UNLOGGED_PATH = /^\/(metrics|health\/)/;

/**
 * nestjs-pino settings: one JSON line per event, one per request, secrets
 * redacted, written to `output` (default: pino's own stdout stream).
 */
export function loggerParams(options: TelemetryModuleOptions, output?: DestinationStream): Params {
  const pinoHttp: Options = {
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
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    customSuccessMessage: () => 'request completed',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (request, response, fields: Record<string, unknown>) =>
      requestFields(request, response, fields),
    customErrorObject: (request, response, _error, fields: Record<string, unknown>) =>
      requestFields(request, response, fields),
  };
  return { pinoHttp: output ? [pinoHttp, output] : pinoHttp };
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
