import { destination, type DestinationStream } from 'pino';

/** Log lines are written to stdout in blocks of about this many characters... */
const BLOCK_CHARS = 12_288;
/** ...or after this long, whichever comes first, so a quiet service's lines still show up. */
const FLUSH_INTERVAL_MS = 250;

export interface BufferedStdout extends DestinationStream {
  /** Hands every gathered line to the destination and writes it out now, synchronously. */
  flushSync(): void;
  /** Writes what is left and lets go of the file descriptor (for tests). */
  end(): void;
}

/**
 * stdout for the JSON logs, written in blocks: with one write(2) per line,
 * writing was the largest cost of request logging under load (bench/README.md).
 *
 * Lines are gathered here and handed to pino's destination (sonic-boom) a
 * block at a time. sonic-boom can buffer by itself (`minLength`), but then it
 * measures the UTF-8 length of everything it holds on every line it is given:
 * ~2.5 µs of CPU per line, against ~0.5 µs for a block handed over whole.
 * sonic-boom still does the writing: partial writes, a non-blocking pipe's
 * EAGAIN, and the synchronous write of what is left when the process exits.
 *
 * `fd` is for tests; services write to stdout.
 */
export function bufferedStdout(fd = 1): BufferedStdout {
  let gathered = '';
  const handOver = () => {
    if (gathered === '') return;
    const block = gathered;
    gathered = '';
    output.write(block);
  };
  const flushSync = () => {
    handOver();
    output.flushSync();
  };
  // Whichever runs first, this or pino's own flush of the destination at exit,
  // the gathered lines are written before the process ends.
  process.on('beforeExit', handOver);
  process.on('exit', flushSync);
  const output = destination({ dest: fd, sync: false });
  const timer = setInterval(handOver, FLUSH_INTERVAL_MS).unref();
  return {
    write(line: string) {
      gathered += line;
      if (gathered.length >= BLOCK_CHARS) handOver();
    },
    flushSync,
    end() {
      clearInterval(timer);
      process.off('beforeExit', handOver);
      process.off('exit', flushSync);
      flushSync();
      output.end();
    },
  };
}
