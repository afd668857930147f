import {
  globalErrorHandler,
  loggingErrorHandler,
  setGlobalErrorHandler,
} from '@opentelemetry/core';
import { reportExportErrorsRarely } from './export-errors';

const MINUTE = 60_000;

describe('reportExportErrorsRarely', () => {
  let written: string[];
  let clock: number;

  beforeEach(() => {
    written = [];
    clock = Date.parse('2025-03-01T10:00:00.000Z');
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    reportExportErrorsRarely('order-service', () => clock);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    setGlobalErrorHandler(loggingErrorHandler());
  });

  const lines = () => written.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('reports the first failure at once as one JSON line on stderr', () => {
    globalErrorHandler(new Error('connect ECONNREFUSED 127.0.0.1:4318'));

    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/\n$/);
    expect(lines()[0]).toEqual({
      level: 'warn',
      time: '2025-03-01T10:00:00.000Z',
      service: 'order-service',
      msg: 'telemetry export failed',
      error: 'connect ECONNREFUSED 127.0.0.1:4318',
      suppressed_since_last_report: 0,
    });
  });

  it('writes at most one line per minute, then says how many it suppressed', () => {
    globalErrorHandler(new Error('first'));
    for (let second = 1; second < 60; second += 1) {
      clock += 1_000;
      globalErrorHandler(new Error(`repeat ${second}`));
    }
    expect(written).toHaveLength(1);

    clock += 1_000; // a full window after the first report
    globalErrorHandler('collector still down');

    expect(lines()).toEqual([
      expect.objectContaining({ error: 'first', suppressed_since_last_report: 0 }),
      expect.objectContaining({
        error: 'collector still down',
        time: '2025-03-01T10:01:00.000Z',
        suppressed_since_last_report: 59,
      }),
    ]);
  });

  it('starts counting again after each report', () => {
    globalErrorHandler(new Error('a'));
    globalErrorHandler(new Error('b'));
    clock += MINUTE;
    globalErrorHandler(new Error('c'));
    clock += MINUTE;
    globalErrorHandler(new Error('d'));

    expect(lines().map((line) => [line.error, line.suppressed_since_last_report])).toEqual([
      ['a', 0],
      ['c', 1],
      ['d', 0],
    ]);
  });
});
