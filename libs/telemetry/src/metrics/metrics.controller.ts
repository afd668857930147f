import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { type Metric, type RegistryContentType, register, Registry } from 'prom-client';
import { TELEMETRY_OPTIONS, type TelemetryModuleOptions } from '../telemetry-options';

/**
 * GET /metrics: Prometheus text by default, OpenMetrics (the only format that
 * carries exemplars) when the scraper's Accept header asks for it.
 */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(@Inject(TELEMETRY_OPTIONS) private readonly options: TelemetryModuleOptions) {}

  @Get()
  async scrape(@Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const wantsOpenMetrics = (request.headers.accept ?? '').includes(
      'application/openmetrics-text',
    );
    const registry = scrapeView(register as Registry<RegistryContentType>, wantsOpenMetrics, {
      service: this.options.serviceName,
    });
    response.setHeader('Content-Type', registry.contentType);
    return registry.metrics();
  }
}

/**
 * A registry over the same metric objects, in the format asked for. Works around
 * prom-client (15.x): rendering OpenMetrics, `Registry.metrics()` strips `_total`
 * from each counter's `name` in place (`metric.name = standardizeCounterName(…)`),
 * so once one OpenMetrics scrape has happened every later Prometheus-text scrape
 * of the same registry shows `http_requests` instead of `http_requests_total`.
 * Reported and fixed upstream, not yet released:
 * https://github.com/prometheus/client_js/pull/829 (prom-client's repository).
 * Until then the shared registry is never rendered itself: each scrape renders a
 * view, and in an OpenMetrics view each counter is a stand-in that reports the
 * counter's values under the base name, so the registered counter is never renamed.
 */
function scrapeView(
  source: Registry<RegistryContentType>,
  openMetrics: boolean,
  defaultLabels: Record<string, string>,
): Registry<RegistryContentType> {
  const view = new Registry<RegistryContentType>();
  view.setContentType(
    openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE,
  );
  view.setDefaultLabels(defaultLabels);
  // Typed as plain objects, they are the registered metric instances.
  for (const metric of source.getMetricsAsArray() as unknown as RegisteredMetric[]) {
    view.registerMetric(openMetrics && metric.type === 'counter' ? counterView(metric) : metric);
  }
  return view;
}

/**
 * What the registry holds: a metric instance with its name and its type as a string
 * (`'counter'`, …), as prom-client's metric classes set it; its typings declare the
 * type a numeric enum that the library never uses at runtime.
 */
type RegisteredMetric = Metric & { name: string; type: string };

/** A stand-in the view may rename: the counter's values under the name without `_total`. */
function counterView(counter: RegisteredMetric): Metric {
  const { name } = counter;
  const standIn = {
    name,
    type: 'counter',
    get: async () => ({ ...(await counter.get()), name: name.replace(/_total$/, '') }),
  };
  // registerMetric() only reads `name`, `type` and `get()` of what it is given.
  return standIn as unknown as Metric;
}
