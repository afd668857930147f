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
 * A registry over the same metric objects, in the format asked for. The shared
 * registry is never rendered itself: prom-client renames counters in place when
 * it renders OpenMetrics, which would drop `_total` from every later text
 * scrape, so counters are wrapped in the OpenMetrics view rather than shared.
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
  // getMetricsAsArray() is typed as plain objects but holds the metric instances.
  for (const metric of source.getMetricsAsArray() as unknown as Metric[]) {
    view.registerMetric(openMetrics && isCounter(metric) ? counterView(metric) : metric);
  }
  return view;
}

function isCounter(metric: Metric): boolean {
  return (metric as unknown as { type?: string }).type === 'counter';
}

function counterView(counter: Metric): Metric {
  const name = (counter as unknown as { name: string }).name;
  return {
    name,
    type: 'counter',
    get: async () => ({ ...(await counter.get()), name: name.replace(/_total$/, '') }),
  } as unknown as Metric;
}
