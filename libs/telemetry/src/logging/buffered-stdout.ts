import { destination, type DestinationStream } from 'pino';

/** Log lines are written to stdout in blocks of about this many bytes... */
const BLOCK_BYTES = 12_288;
/** ...or after this long, whichever comes first, so a quiet service's lines still show up. */
const FLUSH_INTERVAL_MS = 250;

/**
 * stdout for the JSON logs, written in blocks: with one write(2) per line,
 * writing was the largest cost of request logging under load (bench/README.md).
 * pino writes what is left synchronously when the process exits.
 */
export function bufferedStdout(): DestinationStream {
  const stream = destination({ dest: 1, minLength: BLOCK_BYTES, sync: false });
  setInterval(() => stream.flush(), FLUSH_INTERVAL_MS).unref();
  return stream;
}
