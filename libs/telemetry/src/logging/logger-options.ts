import type { Params } from 'nestjs-pino';
import { type DestinationStream, type Logger, symbols } from 'pino';
import type { Options } from 'pino-http';
import type { TelemetryModuleOptions } from '../telemetry-options';
import { traceFields } from './trace-fields';

/** Keys whose values are credentials: redacted at the top of a log line and two levels down. */
const SECRET_KEYS = ['authorization', 'cookie', 'password', 'accessToken', 'token'];
const SECRET_KEY_SET = new Set(SECRET_KEYS);
const CENSOR = '[redacted]';

/**
 * What pino's own redaction handles: secret keys at the top of a line (and in
 * child bindings), and inside the serialized request, response and error.
 * Only paths with a fixed first key: pino runs those only on lines that have
 * that key. The same keys one and two levels down anywhere are `redactNested`'s.
 */
export const REDACTED_PATHS = [
  'req.headers["x-admin-token"]',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS.flatMap((key) => [
    key,
    `req.headers.${key}`,
    `res.headers.${key}`,
    `err.${key}`,
    `err.*.${key}`,
  ]),
];

/**
 * The secret keys one and two levels below any field (`*.password`,
 * `*.*.password`), copying only what it censors. pino's wildcard paths did the
 * same by running a path matcher on every field of every line, which made
 * redaction most of the cost of a request log line (bench/README.md).
 * Class instances (a raw request, an error) are left to their serializers.
 */
export function redactNested(line: Record<string, unknown>): Record<string, unknown> {
  return redactBelow(line, 2);
}

function redactBelow<T extends object>(container: T, levels: number): T {
  let copy: Record<string, unknown> | undefined;
  for (const key in container) {
    const value: unknown = container[key];
    if (!isPlainContainer(value)) continue;
    const redacted = redactLevel(value, levels);
    if (redacted !== value) (copy ??= cloneContainer(container))[key] = redacted;
  }
  return (copy as T | undefined) ?? container;
}

function redactLevel(container: object, levels: number): object {
  let copy: Record<string, unknown> | undefined;
  for (const key in container) {
    if (SECRET_KEY_SET.has(key)) {
      (copy ??= cloneContainer(container))[key] = CENSOR;
      continue;
    }
    const value: unknown = (container as Record<string, unknown>)[key];
    if (levels > 1 && isPlainContainer(value)) {
      const redacted = redactLevel(value, levels - 1);
      if (redacted !== value) (copy ??= cloneContainer(container))[key] = redacted;
    }
  }
  return copy ?? container;
}

function isPlainContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  // A plain object's prototype is Object.prototype, of whichever realm made it
  // (request headers come from Node's, not a test sandbox's), or null.
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

function cloneContainer(container: object): Record<string, unknown> {
  return (Array.isArray(container) ? [...container] : { ...container }) as Record<string, unknown>;
}

/** A secret key in serialized bindings whose value pino's own redaction did not censor. */
const UNCENSORED_SECRET = new RegExp(`"(${SECRET_KEYS.join('|')})":(?!"\\[redacted\\]")`);

/**
 * `redactNested` for child-logger bindings (`logger.child({...})`,
 * `PinoLogger.assign`), which pino serializes once, apart from each line's own
 * fields. A child whose bindings hold no secret key (almost all) costs one
 * regular-expression test.
 */
function redactChildBindings(child: Logger): void {
  const serialized = (child as unknown as Record<symbol, string>)[symbols.chindingsSym];
  if (!UNCENSORED_SECRET.test(serialized)) return;
  const bindings = JSON.parse(`{${serialized.slice(1)}}`) as Record<string, unknown>;
  (child as unknown as Record<symbol, string>)[symbols.chindingsSym] =
    `,${JSON.stringify(redactNested(bindings)).slice(1, -1)}`;
}

/**
 * pino's `stdTimeFunctions.isoTime` (`"time":"2025-03-01T10:00:00.123Z"`) with
 * the date and time of day formatted once per second rather than per line:
 * `Date#toISOString` was the largest single cost of writing a request line.
 */
export function isoTime(): () => string {
  let second = Number.NaN;
  let prefix = '';
  return () => {
    const now = Date.now();
    const millisecond = now % 1000;
    if (now - millisecond !== second) {
      second = now - millisecond;
      prefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
    }
    return `${prefix}${millisecond < 10 ? '00' : millisecond < 100 ? '0' : ''}${millisecond}Z"`;
  };
}

/**
 * nestjs-pino settings: one JSON line per event, with the active trace's ids,
 * secrets redacted, written to `output` (default: pino's own stdout stream).
 *
 * nestjs-pino's per-request pino-http middleware is not mounted (`forRoutes:
 * []`): its child logger, serializers and response hooks for every request
 * cost more than the line they write. `RequestLogMiddleware` writes the
 * request line instead; pino-http still builds the root logger, with its
 * serializers for `req`, `res` and `err`.
 */
export function loggerParams(options: TelemetryModuleOptions, output?: DestinationStream): Params {
  const pinoHttp: Options = {
    level: options.logLevel ?? 'info',
    base: { service: options.serviceName },
    timestamp: isoTime(),
    mixin: traceFields,
    formatters: { level: (label) => ({ level: label }), log: redactNested },
    onChild: redactChildBindings,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
  };
  return { pinoHttp: output ? [pinoHttp, output] : pinoHttp, forRoutes: [] };
}
