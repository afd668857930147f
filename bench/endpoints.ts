// The OTLP endpoints the configurations export to, one of each kind a run needs, started
// before the first configuration and closed after the last (configurations.ts names the kind).
import { startProjectCollector } from './collector.ts';
import type { Collector } from './configurations.ts';
import { refusedEndpoint, startHungCollector, startOtlpSink } from './otlp-sink.ts';

export interface Endpoint {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  /** What reached it since the last call (export requests or connections, and bytes); resets both. */
  take(): { requests: number; bytes: number };
  close(): Promise<void>;
}

const START: Record<Collector, () => Promise<Endpoint>> = {
  sink: async () => {
    const sink = await startOtlpSink();
    return { url: sink.endpoint, take: () => sink.take(), close: () => sink.close() };
  },
  refused: async () => ({
    url: await refusedEndpoint(),
    take: () => ({ requests: 0, bytes: 0 }),
    close: async () => {},
  }),
  hung: async () => {
    const hung = await startHungCollector();
    return { url: hung.endpoint, take: () => hung.take(), close: () => hung.close() };
  },
  otelcol: startProjectCollector,
};

export interface Endpoints {
  /** The endpoint of that kind; started by startEndpoints, or an error. */
  of(kind: Collector): Endpoint;
  close(): Promise<void>;
}

/** Starts one endpoint of each kind in `kinds`. */
export async function startEndpoints(kinds: Iterable<Collector>): Promise<Endpoints> {
  const started = new Map<Collector, Endpoint>();
  for (const kind of new Set(kinds)) started.set(kind, await START[kind]());
  return {
    of(kind) {
      const endpoint = started.get(kind);
      if (!endpoint) throw new Error(`no ${kind} endpoint was started`);
      return endpoint;
    },
    close: async () => {
      await Promise.all([...started.values()].map((endpoint) => endpoint.close()));
    },
  };
}
