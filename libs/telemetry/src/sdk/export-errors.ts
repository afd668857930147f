import { setGlobalErrorHandler } from '@opentelemetry/core';

/** At most one export-failure line per window: a missing collector must not flood the logs. */
const REPORT_WINDOW_MS = 60_000;

/**
 * Routes OpenTelemetry's internal errors (failed exports, dropped spans) to one
 * JSON line per minute on stderr, with how many were suppressed in between.
 * Through the SDK's public `setGlobalErrorHandler`: its default handler goes to
 * the diagnostic logger, silent unless OTEL_LOG_LEVEL is set, and would then
 * print every failed export.
 */
export function reportExportErrorsRarely(serviceName: string, now: () => number = Date.now): void {
  let lastReportAt = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  setGlobalErrorHandler((error) => {
    const at = now();
    if (at - lastReportAt < REPORT_WINDOW_MS) {
      suppressed += 1;
      return;
    }
    lastReportAt = at;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      JSON.stringify({
        level: 'warn',
        time: new Date(at).toISOString(),
        service: serviceName,
        msg: 'telemetry export failed',
        error: message,
        suppressed_since_last_report: suppressed,
      }) + '\n',
    );
    suppressed = 0;
  });
}
