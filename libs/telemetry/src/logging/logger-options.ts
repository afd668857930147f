import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import type { Options } from 'pino-http';
import { PROBE_PATH } from '../http/polled-paths';
import { routeTemplate } from '../http/route-template';
import { withoutQueryParameters } from '../errors/without-query-parameters';
import { ATTR_USER_ID, requestUser } from '../http/request-user';
import type { TelemetryModuleOptions } from '../telemetry-options';

/** Keys whose values are credentials: redacted at the top of a line and two levels down. */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'accessToken', 'token'];

/**
 * pino's own redaction: the secret keys at the top of a line (and of a child
 * logger's bindings) and one or two levels down (`req.headers.authorization`,
 * `credentials.password`), plus the admin token and cookies a response sets.
 */
export const REDACTED_PATHS = [
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/** Log lines are written to stdout in blocks of at least this many bytes... */
const BLOCK_BYTES = 4_096;
/** ...or after this long, so that a quiet service's lines still show up. */
const FLUSH_INTERVAL_MS = 250;

/**
 * stdout for the JSON logs, buffered: one write(2) per line was the largest
 * cost of request logging under load (docs/results/bench-2026-11-29.md). pino's destination
 * (sonic-boom) gathers lines until `minLength` and writes them asynchronously;
 * pino flushes it synchronously when the process exits, and the module flushes
 * it at application shutdown.
 */
export function bufferedStdout(): pino.DestinationStream & { flush(): void; flushSync(): void } {
  const output = pino.destination({ dest: 1, minLength: BLOCK_BYTES, sync: false });
  const timer = setInterval(() => {
    try {
      output.flush();
    } catch {
      // Ended at exit: nothing more will be written.
      clearInterval(timer);
    }
  }, FLUSH_INTERVAL_MS).unref();
  return output;
}

type Request = IncomingMessage & { id?: unknown; originalUrl?: string };

/**
 * The request-line fields of docs/interfaces.md, besides `route` (`customProps`) and the
 * trace fields: `path` is the path the request was sent to, without its query
 * string (which may carry a credential), so a request that never matched a
 * route still says where it went; `user.id` only when the request acts for a
 * verified user (`setRequestUser`).
 */
function requestFields(request: Request, response: ServerResponse, durationMs: number) {
  return {
    method: request.method,
    path: pathOf(request),
    status_code: response.statusCode,
    duration_ms: durationMs,
    [ATTR_USER_ID]: requestUser(request),
  };
}

/** Express rewrites `url` inside mounted routers; `originalUrl` keeps what was sent. */
function pathOf(request: Request): string | undefined {
  return (request.originalUrl ?? request.url)?.split('?', 1)[0];
}

/**
 * An error as the structured `err` of docs/interfaces.md: its type, message and stack,
 * the same object on stdout and, through the pino instrumentation, as the
 * OTLP log record's `err` attribute. pino's standard serializer would also
 * copy every enumerable property, such as a failed query's parameters, which
 * are dropped from its message and stack too (`withoutQueryParameters`).
 */
export function serializeError(thrown: unknown): { type: string; message: string; stack?: string } {
  const error = withoutQueryParameters(thrown);
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  return { type: error.name, message: error.message, stack: error.stack };
}

/** pino's `logMethod` hook: `logger.error(error, …)` and `logger.error({ err: error, … }, …)`. */
function logWithoutQueryParameters(
  this: pino.Logger,
  args: Parameters<pino.LogFn>,
  method: pino.LogFn,
  _level: number,
): void {
  const [first, ...rest] = args as unknown[];
  let safe = first;
  if (first instanceof Error) safe = withoutQueryParameters(first);
  else if (typeof first === 'object' && first !== null && 'err' in first) {
    const err = withoutQueryParameters(first.err);
    if (err !== first.err) safe = { ...first, err };
  }
  method.apply(this, [safe, ...rest] as Parameters<pino.LogFn>);
}

/**
 * pino and pino-http settings: one JSON line per event (`level` as a string,
 * ISO time, `service`), secrets redacted, and one lean line per request when
 * its response is done:
 * `{ method, route, path, status_code, duration_ms, user.id?, msg: "request completed" }`, at
 * `info` for 2xx/3xx, `warn` for 4xx and `error` for 5xx or an answer that was
 * never finished. trace_id and span_id come from the pino instrumentation.
 *
 * Lean through pino-http's own options: `quietReqLogger`/`quietResLogger`
 * (the request and response objects are not serialized into lines),
 * `wrapSerializers: false` with small serializers, `autoLogging.ignore` for
 * probes and scrapes.
 */
export function pinoHttpOptions(options: TelemetryModuleOptions): Options<Request, ServerResponse> {
  return {
    level: options.logLevel ?? 'info',
    base: { service: options.serviceName },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // pino takes a line's `msg` from the logged error's own message, before the
    // `err` serializer runs: a failed query is swapped for one without its
    // parameter values first.
    hooks: { logMethod: logWithoutQueryParameters },
    quietReqLogger: true,
    quietResLogger: true,
    // pino-http binds `req` to a per-request child logger that quiet mode never
    // writes; without the wrapping, the serializer sees the raw request and
    // keeps only this much of it for a line that does log it.
    wrapSerializers: false,
    serializers: {
      // The path without its query string, which may carry a credential.
      req: (request: Request) => ({
        id: request.id,
        method: request.method,
        url: pathOf(request),
      }),
      res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
      err: serializeError,
    },
    autoLogging: { ignore: (request) => PROBE_PATH.test(request.url ?? '') },
    customProps: (request) => ({ route: routeTemplate(request) }),
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 || !response.writableFinished
        ? 'error'
        : response.statusCode >= 400
          ? 'warn'
          : 'info',
    customSuccessMessage: (_request, response) =>
      response.writableFinished ? 'request completed' : 'request aborted',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (request, response, value: { responseTime?: number }) =>
      requestFields(request, response, value.responseTime ?? 0),
    // The exception itself is logged where it is handled, and recorded on the span.
    customErrorObject: (request, response, _error, value: { responseTime?: number }) =>
      requestFields(request, response, value.responseTime ?? 0),
  };
}
