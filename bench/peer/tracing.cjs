// The benchmark's `peer` preload: the set-up NestJS teams copy from nestjs-otel's
// README (its `tracing.ts`), started with `node --require` in place of a service's
// own instrumentation.js. NodeSDK with every auto-instrumentation at its defaults.
//
// Where the README names parts, the benchmark gives them the settings `default`
// has, through the standard variables NodeSDK reads (bench/run.ts sets them):
// - `spanProcessor: new BatchSpanProcessor(new JaegerExporter())`: NodeSDK's own
//   batch processor with the OTLP/HTTP protobuf exporter, to the benchmark's sink
//   (OTEL_EXPORTER_OTLP_ENDPOINT), sampled like `default` (OTEL_TRACES_SAMPLER);
// - `metricReader: new PrometheusExporter({ port: 8081 })`: the services serve
//   /metrics themselves and 8081 is a service's port, so NodeSDK's own reader from
//   OTEL_METRICS_EXPORTER (unset: OTLP to the same sink) records the
//   instrumentations' metrics in its place;
// - `contextManager` and the W3C propagators are NodeSDK's defaults; the Jaeger
//   and B3 propagators are left out, as the services speak W3C only.
// Log records stay on stdout as in `default` (OTEL_LOGS_EXPORTER=none).
'use strict';
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');

const otelSDK = new NodeSDK({
  instrumentations: [getNodeAutoInstrumentations()],
});

// The README starts the SDK in main.ts before NestFactory.create; a preload starts
// it before anything it instruments is loaded, which is what that order is for.
otelSDK.start();

process.on('SIGTERM', () => {
  otelSDK
    .shutdown()
    .then(
      () => console.log('SDK shut down successfully'),
      (err) => console.log('Error shutting down SDK', err),
    )
    .finally(() => process.exit(0));
});
