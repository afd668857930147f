import type { Resource } from '@opentelemetry/resources';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';
import { numberFromEnv, otlpProtocol } from './otel-env';

type LogsSdk = typeof import('@opentelemetry/sdk-logs');
type OtlpLogExporters = typeof import('@opentelemetry/exporter-logs-otlp-proto');

/**
 * OTLP log export, for OTEL_LOGS_EXPORTER=otlp only. The JSON lines on stdout
 * are the services' logs, so the logs SDK and its exporters are loaded only
 * when someone asks for them: `require` rather than `import` for that reason.
 */
export function otlpLogProvider(resource: Resource, env: NodeJS.ProcessEnv): LoggerProvider {
  const { BatchLogRecordProcessor, LoggerProvider } = require('@opentelemetry/sdk-logs') as LogsSdk;
  const { OTLPLogExporter } = (
    otlpProtocol(env, 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL') === 'http/json'
      ? require('@opentelemetry/exporter-logs-otlp-http')
      : require('@opentelemetry/exporter-logs-otlp-proto')
  ) as OtlpLogExporters;
  return new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({
        exporter: new OTLPLogExporter(),
        maxQueueSize: numberFromEnv(env, 'OTEL_BLRP_MAX_QUEUE_SIZE'),
        maxExportBatchSize: numberFromEnv(env, 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE'),
        scheduledDelayMillis: numberFromEnv(env, 'OTEL_BLRP_SCHEDULE_DELAY'),
        exportTimeoutMillis: numberFromEnv(env, 'OTEL_BLRP_EXPORT_TIMEOUT'),
      }),
    ],
  });
}
