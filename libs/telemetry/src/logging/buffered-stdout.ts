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
 * block at a time. sonic-boom buffers by itself too (`minLength`), but it
 * measures the UTF-8 length of everything it holds on every write it is
 * given: ~2.5 µs of CPU per line when given lines, against ~0.5 µs for blocks.
 * Its `minLength` still matters: a full block starts a write at once, and a
 * smaller rest (the timer's, or the last lines at exit) waits in its buffer
 * until flushed, so that the synchronous flush at exit finds it there rather
 * than in an asynchronous write the exit would cut short. sonic-boom does the
 * writing: partial writes, a non-blocking pipe's EAGAIN, the flush at exit.
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
  const flush = () => {
    handOver();
    output.flush();
  };
  const flushSync = () => {
    handOver();
    output.flushSync();
  };
  // Whichever runs first, these or pino's own flush of the destination at exit,
  // the gathered lines are written before the process ends.
  process.on('beforeExit', handOver);
  process.on('exit', flushSync);
  const output = destination({ dest: fd, minLength: BLOCK_CHARS, sync: false });
  const timer = setInterval(flush, FLUSH_INTERVAL_MS).unref();
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
