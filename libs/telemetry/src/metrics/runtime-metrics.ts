import { makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import { performance } from 'node:perf_hooks';
import type { Gauge } from 'prom-client';
import { NODEJS_EVENTLOOP_UTILIZATION_RATIO } from './metric-names';

/**
 * Event-loop utilisation, which prom-client's runtime metrics lack: the share
 * of time the loop was busy since the previous scrape
 * (`performance.eventLoopUtilization`, the measure behind OpenTelemetry's
 * `nodejs.eventloop.utilization`). Near 1 the process cannot take more work
 * even while the loop lag still looks fine. Computed at scrape time, so it
 * costs nothing between scrapes; with two scrapers each sees the share since
 * either one last scraped.
 */
export function eventLoopUtilizationProvider() {
  let previous = performance.eventLoopUtilization();
  return makeGaugeProvider({
    name: NODEJS_EVENTLOOP_UTILIZATION_RATIO,
    help: 'Share of the time the event loop was busy since the previous scrape (0 to 1).',
    collect(this: Gauge) {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, previous).utilization);
      previous = now;
    },
  });
}
