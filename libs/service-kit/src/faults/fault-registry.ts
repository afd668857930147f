import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import type { ActiveFault, CreateFaultDto, FaultKind } from './fault.dto';

const DEFAULT_TTL_SECONDS = 300;
const MB = 1024 * 1024;

interface Entry {
  fault: ActiveFault;
  expiresAtMs: number;
  stopEffect?: () => void;
}

/**
 * The faults active in this process. Each one clears itself after its TTL, so
 * an aborted drill cannot leave a service broken.
 */
@Injectable()
export class FaultRegistry implements OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();

  add(request: CreateFaultDto): ActiveFault {
    const { ttlSeconds = DEFAULT_TTL_SECONDS, ...params } = request;
    const expiresAtMs = Date.now() + ttlSeconds * 1000;
    const fault: ActiveFault = {
      ...params,
      id: randomUUID(),
      expiresAt: new Date(expiresAtMs).toISOString(),
    };
    const entry: Entry = { fault, expiresAtMs, stopEffect: startEffect(fault) };
    this.entries.set(fault.id, entry);
    setTimeout(() => this.remove(fault.id), ttlSeconds * 1000).unref();
    return fault;
  }

  list(): ActiveFault[] {
    return [...this.entries.values()]
      .filter((entry) => entry.expiresAtMs > Date.now())
      .map((entry) => entry.fault);
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    entry?.stopEffect?.();
    return this.entries.delete(id);
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.remove(id);
  }

  /** The first active fault of this kind that `matches` accepts, rolled against its rate. */
  pick(
    kind: FaultKind,
    matches: (fault: ActiveFault) => boolean = () => true,
  ): ActiveFault | undefined {
    if (this.entries.size === 0) return undefined;
    const now = Date.now();
    for (const { fault, expiresAtMs } of this.entries.values()) {
      if (fault.kind !== kind || expiresAtMs <= now || !matches(fault)) continue;
      if (Math.random() < (fault.rate ?? 1)) return fault;
    }
    return undefined;
  }

  onApplicationShutdown(): void {
    this.clear();
  }
}

/** Marks the current span so a faulted request can be told apart in Jaeger. */
export function markFaulted(kind: FaultKind): void {
  trace.getActiveSpan()?.setAttribute('fault.injected', kind);
}

/** Faults that act on the process rather than on requests run until stopped. */
function startEffect(fault: ActiveFault): (() => void) | undefined {
  if (fault.kind === 'event-loop-block') {
    const timer = setInterval(() => blockEventLoop(fault.blockMs ?? 0), fault.intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
  if (fault.kind === 'memory-growth') {
    let retained: Buffer[] = [];
    const timer = setInterval(() => {
      if (retained.length * (fault.mbPerSecond ?? 0) >= (fault.capMb ?? 0)) return;
      // fill() touches every page, so the growth shows in resident memory.
      retained.push(Buffer.alloc((fault.mbPerSecond ?? 0) * MB).fill(1));
    }, 1_000);
    timer.unref();
    return () => {
      clearInterval(timer);
      retained = [];
    };
  }
  return undefined;
}

function blockEventLoop(milliseconds: number): void {
  const until = Date.now() + milliseconds;
  while (Date.now() < until) {
    // Busy-wait on purpose: this is the fault.
  }
}
