import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs at start when asked, then once per interval', async () => {
    let passes = 0;
    const task = new PeriodicTask(
      async () => void passes++,
      1_000,
      () => undefined,
    );
    task.start({ runNow: true });
    await jest.advanceTimersByTimeAsync(2_500);
    expect(passes).toBe(3);
    await task.stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(passes).toBe(3);
  });

  it('skips a tick while a pass is still running, and stop waits for that pass', async () => {
    let passes = 0;
    let finish: () => void = () => undefined;
    const task = new PeriodicTask(
      () => {
        passes++;
        return new Promise<void>((resolve) => (finish = resolve));
      },
      1_000,
      () => undefined,
    );
    task.start();
    await jest.advanceTimersByTimeAsync(3_500);
    expect(passes).toBe(1);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(stopped).toBe(true);
  });

  it('reports a failed pass and tries again on the next tick', async () => {
    const errors: unknown[] = [];
    let passes = 0;
    const task = new PeriodicTask(
      async () => {
        passes++;
        if (passes === 1) throw new Error('database unavailable');
      },
      1_000,
      (error) => errors.push(error),
    );
    task.start({ runNow: true });
    await jest.advanceTimersByTimeAsync(1_000);
    expect(errors).toEqual([new Error('database unavailable')]);
    expect(passes).toBe(2);
    await task.stop();
  });
});
