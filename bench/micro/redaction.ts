// What pino's redaction costs per request line: paths of the shape the library uses
// (libs/telemetry/src/logging/logger-options.ts: each secret key at the top and one or two levels
// down) against one level down, exact paths and none. A child logger with the request bound,
// then the request line, as pino-http writes it.
//   node bench/micro/redaction.ts
import pino from 'pino';
import { Writable } from 'node:stream';
import { measure } from './measure.ts';

const SECRET_KEYS = ['authorization', 'cookie', 'password', 'accessToken', 'token'];
const FIXED = ['req.headers["x-admin-token"]', 'res.headers["set-cookie"]'];
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const logger = (paths: string[] | undefined) =>
  pino(
    {
      base: { service: 'bench' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(paths && { redact: { paths, censor: '[redacted]' } }),
    },
    discard,
  );
const line = {
  route: '/products/:id',
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  span_id: 'b7ad6b7169203331',
  trace_flags: '01',
  method: 'GET',
  status_code: 200,
  duration_ms: 3,
};
const requestLine = (log: pino.Logger) => () =>
  log.child({ req: { id: 1, method: 'GET', url: '/products/1' } }).info(line, 'request completed');

measure({
  'two levels down': requestLine(
    logger([...FIXED, ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`])]),
  ),
  'one level down': requestLine(logger([...FIXED, ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`])])),
  'exact paths': requestLine(
    logger([...FIXED, 'req.headers.authorization', 'req.headers.cookie', ...SECRET_KEYS]),
  ),
  'no redaction': requestLine(logger(undefined)),
});
