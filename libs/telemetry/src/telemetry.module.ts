import {
  type DynamicModule,
  Global,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import { TraceService } from 'nestjs-otel';
import { collectDefaultMetrics, register, Registry, type RegistryContentType } from 'prom-client';
import { bufferedStdout } from './logging/buffered-stdout';
import { loggerParams } from './logging/logger-options';
import { RequestLogMiddleware } from './logging/request-log.middleware';
import { HttpMetricsMiddleware, httpMetricProviders } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { upstreamMetricProviders } from './metrics/upstream-metrics';
import { shutdownTelemetry } from './sdk/start-telemetry';
import { ServerSpanMiddleware } from './tracing/server-span.middleware';
import { TELEMETRY_OPTIONS, type TelemetryModuleOptions } from './telemetry-options';

/**
 * Traces (over the SDK the preload started), Prometheus metrics at /metrics
 * and JSON logs for one service. Import it once, in the root module.
 *
 * From nestjs-otel only `@Span()` and `TraceService`: its module would add a
 * middleware to every request for its wide events, which no service uses.
 */
@Global()
@Module({})
export class TelemetryModule implements NestModule, OnApplicationShutdown {
  static forRoot(options: TelemetryModuleOptions): DynamicModule {
    // prom-client only accepts exemplars on an OpenMetrics registry; /metrics
    // still answers in the format the scraper asks for.
    (register as Registry<RegistryContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    collectRuntimeMetricsOnce();
    const optionsProvider = { provide: TELEMETRY_OPTIONS, useValue: options };
    return {
      module: TelemetryModule,
      imports: [
        PrometheusModule.register({
          global: true,
          controller: MetricsController,
          defaultMetrics: { enabled: false },
          defaultLabels: { service: options.serviceName },
        }),
        LoggerModule.forRoot(loggerParams(options, bufferedStdout())),
      ],
      providers: [
        optionsProvider,
        TraceService,
        ...httpMetricProviders,
        ...upstreamMetricProviders,
      ],
      exports: [optionsProvider, TraceService, ...upstreamMetricProviders],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The span first: the metrics' exemplars and the request log line need its trace id.
    consumer
      .apply(ServerSpanMiddleware, HttpMetricsMiddleware, RequestLogMiddleware)
      .forRoutes('{*path}');
  }

  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
  }
}

/** prom-client's runtime collectors register globally; a second app in one process must not repeat them. */
function collectRuntimeMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
}
