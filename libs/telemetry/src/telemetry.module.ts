import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { OpenTelemetryModule } from 'nestjs-otel';
import { LoggerModule } from 'nestjs-pino';
import { pinoHttp } from 'pino-http';
import { collectDefaultMetrics, register, Registry, type RegistryContentType } from 'prom-client';
import { HTTP_LOGGER, RequestTelemetry } from './http/request-telemetry';
import { bufferedStdout, pinoHttpOptions } from './logging/logger-options';
import { httpMetricProviders } from './metrics/http-metrics';
import { MetricsController } from './metrics/metrics.controller';
import { eventLoopUtilizationProvider } from './metrics/runtime-metrics';
import { upstreamMetricProviders } from './metrics/upstream-metrics';
import { shutdownTelemetry } from './sdk/start-telemetry';
import { TELEMETRY_OPTIONS, type TelemetryModuleOptions } from './telemetry-options';
import { ServerSpanInterceptor } from './tracing/server-span.interceptor';

const LOG_OUTPUT = Symbol('LOG_OUTPUT');

/**
 * Traces (over the SDK the preload started), Prometheus metrics at /metrics
 * and JSON logs for one service. Import it once, in the root module, and mount
 * the request telemetry with `useRequestTelemetry(app)` before the body parser.
 */
@Global()
@Module({})
export class TelemetryModule implements OnApplicationShutdown {
  constructor(@Inject(LOG_OUTPUT) private readonly logOutput: { flushSync(): void }) {}

  static forRoot(options: TelemetryModuleOptions): DynamicModule {
    // prom-client only accepts exemplars on an OpenMetrics registry; /metrics
    // still answers in the format the scraper asks for.
    (register as Registry<RegistryContentType>).setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    collectRuntimeMetricsOnce();
    const logOutput = options.logOutput ?? bufferedStdout();
    // One pino-http instance, and with it one pino logger, for the whole app.
    const httpLogger = pinoHttp(pinoHttpOptions(options), logOutput);
    const optionsProvider = { provide: TELEMETRY_OPTIONS, useValue: options };
    return {
      module: TelemetryModule,
      imports: [
        // The `service` label is added per scrape, by MetricsController's view registry.
        PrometheusModule.register({
          global: true,
          controller: MetricsController,
          defaultMetrics: { enabled: false },
        }),
        // pino-http runs ahead of the body parser (useRequestTelemetry), where Nest
        // module middleware cannot; nestjs-pino then binds the request logger that
        // pino-http made (`useExisting`) for PinoLogger and Nest's Logger, and uses
        // the same pino logger outside requests.
        LoggerModule.forRoot({ pinoHttp: { logger: httpLogger.logger }, useExisting: true }),
        // TraceService, @Span() and @Traceable() work over the global tracer. Host
        // metrics stay off: they need an OpenTelemetry meter provider, and the
        // services' metrics are Prometheus' (prom-client's runtime metrics).
        OpenTelemetryModule.forRoot({ metrics: { hostMetrics: false } }),
      ],
      providers: [
        optionsProvider,
        { provide: HTTP_LOGGER, useValue: httpLogger },
        { provide: LOG_OUTPUT, useValue: logOutput },
        { provide: APP_INTERCEPTOR, useClass: ServerSpanInterceptor },
        RequestTelemetry,
        ...httpMetricProviders,
        ...upstreamMetricProviders,
        eventLoopUtilizationProvider(),
      ],
      exports: [optionsProvider, RequestTelemetry, ...upstreamMetricProviders],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await shutdownTelemetry();
    this.logOutput.flushSync();
  }
}

/** prom-client's runtime collectors register globally; a second app in one process must not repeat them. */
function collectRuntimeMetricsOnce(): void {
  if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
}
