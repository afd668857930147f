import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bufferedStdout } from './buffered-stdout';

// The block-buffered log output, writing to a real file (in-process) and to a
// real stdout (a child process that exits with lines still gathered).

const line = (n: number) => `${JSON.stringify({ level: 'info', n, msg: 'x'.repeat(200) })}\n`;

describe('bufferedStdout', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'buffered-stdout-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds a few lines back, then writes every line in order on flushSync', () => {
    const file = join(dir, 'out.log');
    const stream = bufferedStdout(openSync(file, 'w'));
    for (let n = 0; n < 3; n += 1) stream.write(line(n));
    expect(readFileSync(file, 'utf8')).toBe('');

    stream.flushSync();
    expect(readFileSync(file, 'utf8')).toBe(line(0) + line(1) + line(2));
    stream.end();
  });

  it('hands a full block to the file without being asked', async () => {
    const file = join(dir, 'out.log');
    const stream = bufferedStdout(openSync(file, 'w'));
    const lines = Array.from({ length: 100 }, (_, n) => line(n)); // ~22 KiB: one block and a rest
    for (const text of lines) stream.write(text);

    // The block is written asynchronously; wait until it is there (the test's timeout bounds this).
    let written = '';
    while (written.length === 0) {
      await new Promise((wake) => setTimeout(wake, 20));
      written = readFileSync(file, 'utf8');
    }
    expect(written.length).toBeGreaterThanOrEqual(12_288);
    expect(lines.join('').startsWith(written)).toBe(true);

    stream.end();
    expect(readFileSync(file, 'utf8')).toBe(lines.join(''));
  });

  /** Runs `ending` in a child process after it wrote five lines; returns the numbers on its stdout. */
  function linesOfAChildThat(ending: string): number[] {
    const source = join(__dirname, 'buffered-stdout.ts');
    // execFileSync throws if the child exits with an error.
    const output = execFileSync(
      process.execPath,
      [
        // The library's TypeScript, run by Node's type stripping as an ES module.
        '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
        '--input-type=module',
        '--eval',
        `import { bufferedStdout } from ${JSON.stringify(source)};
         const out = bufferedStdout();
         for (let n = 0; n < 5; n += 1) out.write(JSON.stringify({ n }) + '\\n');
         ${ending}`,
      ],
      { encoding: 'utf8' },
    );
    return output
      .trim()
      .split('\n')
      .map((text) => (JSON.parse(text) as { n: number }).n);
  }

  it('writes the lines still gathered when the process exits', () => {
    expect(linesOfAChildThat('process.exit(0);')).toEqual([0, 1, 2, 3, 4]);
  });

  it('writes them, and exits cleanly, when the process ends because it has nothing left to do', () => {
    expect(linesOfAChildThat('')).toEqual([0, 1, 2, 3, 4]);
  });
});
