import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FaultRegistry } from './fault-registry';

// A full collection before each reading, so that only memory something still
// holds is counted, not garbage that earlier tests left behind.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function retainedMb(): number {
  collectGarbage();
  return process.memoryUsage().arrayBuffers / (1024 * 1024);
}

async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('FaultRegistry', () => {
  let faults: FaultRegistry;

  beforeEach(() => {
    faults = new FaultRegistry();
  });

  afterEach(() => {
    faults.onApplicationShutdown();
  });

  it('lists an added fault with its id and expiry', () => {
    const before = Date.now();
    const fault = faults.add({ kind: 'error-rate', rate: 1, statusCode: 503, ttlSeconds: 60 });

    expect(fault).toEqual({
      kind: 'error-rate',
      rate: 1,
      statusCode: 503,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      expiresAt: expect.any(String),
    });
    const expiresInMs = Date.parse(fault.expiresAt) - before;
    expect(expiresInMs).toBeGreaterThanOrEqual(60_000);
    expect(expiresInMs).toBeLessThan(61_000);
    expect(faults.list()).toEqual([fault]);
  });

  it('clears a fault by itself once its TTL has passed', async () => {
    faults.add({ kind: 'unavailable', ttlSeconds: 0.05 });
    const lasting = faults.add({ kind: 'latency', delayMs: 10, ttlSeconds: 60 });
    expect(faults.pick('unavailable')).toBeDefined();

    await sleep(100);

    expect(faults.pick('unavailable')).toBeUndefined();
    expect(faults.list()).toEqual([lasting]);
  });

  it('picks only faults of the asked kind that the caller’s filter accepts', () => {
    const products = faults.add({ kind: 'upstream-failure', upstream: 'product-service' });
    faults.add({ kind: 'latency', delayMs: 100 });

    expect(faults.pick('error-rate')).toBeUndefined();
    expect(faults.pick('upstream-failure', (fault) => fault.upstream === 'user-service')).toBe(
      undefined,
    );
    expect(faults.pick('upstream-failure', (fault) => fault.upstream === 'product-service')).toBe(
      products,
    );
  });

  it('affects about `rate` of the requests', () => {
    faults.add({ kind: 'error-rate', rate: 0.5 });
    const hits = Array.from({ length: 2_000 }, () => faults.pick('error-rate')).filter(Boolean);
    expect(hits.length).toBeGreaterThan(800);
    expect(hits.length).toBeLessThan(1_200);

    faults.clear();
    faults.add({ kind: 'error-rate', rate: 0 });
    expect(faults.pick('error-rate')).toBeUndefined();
  });

  it('removes one fault by id, and clears them all', () => {
    const first = faults.add({ kind: 'latency', delayMs: 5 });
    const second = faults.add({ kind: 'unavailable' });

    expect(faults.remove(first.id)).toBe(true);
    expect(faults.remove(first.id)).toBe(false);
    expect(faults.list()).toEqual([second]);

    faults.add({ kind: 'error-rate', rate: 1 });
    faults.clear();
    expect(faults.list()).toEqual([]);
    expect(faults.pick('unavailable')).toBeUndefined();
  });

  describe('process effects', () => {
    it('blocks the event loop while an event-loop-block fault is active, and not after', async () => {
      /** How long a 50 ms timer really takes. */
      const timerTakes = async () => {
        const startedAt = performance.now();
        await sleep(50);
        return performance.now() - startedAt;
      };
      const fault = faults.add({ kind: 'event-loop-block', blockMs: 300, intervalMs: 10 });

      expect(await timerTakes()).toBeGreaterThanOrEqual(250);

      faults.remove(fault.id);
      await sleep(20);
      expect(await timerTakes()).toBeLessThan(250);
      expect(await timerTakes()).toBeLessThan(250);
    });

    it('retains more memory every second while a memory-growth fault is active, and frees it on removal', async () => {
      // Let what earlier tests dropped be collected and released first.
      collectGarbage();
      await sleep(200);
      const atStart = retainedMb();
      const fault = faults.add({ kind: 'memory-growth', mbPerSecond: 32, capMb: 64 });

      await sleep(1_300);
      expect(retainedMb() - atStart).toBeGreaterThanOrEqual(30);

      faults.remove(fault.id);
      // Buffers are released shortly after the collection that finds them unreachable.
      await eventually(() => retainedMb() - atStart < 16);
      // Left active, the next second would have retained another 32 MB.
      await sleep(1_000);
      expect(retainedMb() - atStart).toBeLessThan(16);
    }, 15_000);
  });
});
