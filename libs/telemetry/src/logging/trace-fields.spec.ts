import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import pino, { type LoggerOptions } from 'pino';
import { Writable } from 'node:stream';
import { startInMemoryTelemetry } from '../testing/in-memory-telemetry';
import { loggerParams } from './logger-options';

// The trace ids on log lines, through the module's own logger settings and the real SDK.
startInMemoryTelemetry('trace-fields-spec');

const lines: Record<string, unknown>[] = [];
const output = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});
const { pinoHttp } = loggerParams({ serviceName: 'trace-fields-spec' });
const logger = pino({ ...(pinoHttp as LoggerOptions), level: 'info' }, output);

/** Writes one line and returns it parsed. */
function logged(message: string): Record<string, unknown> {
  logger.info({ step: message }, message);
  return lines.at(-1)!;
}

describe('trace fields on log lines', () => {
  beforeEach(() => (lines.length = 0));

  it('puts the active span’s trace id, span id and sampled flag on a line written inside it', () => {
    const span = trace.getTracer('spec').startSpan('work');
    const line = context.with(trace.setSpan(context.active(), span), () => logged('inside'));
    span.end();

    const { traceId, spanId } = span.spanContext();
    expect(line).toMatchObject({ trace_id: traceId, span_id: spanId, trace_flags: '01' });
    expect(line).toMatchObject({ step: 'inside', msg: 'inside', service: 'trace-fields-spec' });
  });

  it('marks a line of an unsampled trace 00, keeping its ids', () => {
    const unsampled = trace.wrapSpanContext({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
    });
    const line = context.with(trace.setSpan(ROOT_CONTEXT, unsampled), () => logged('unsampled'));

    expect(line).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      trace_flags: '00',
    });
  });

  it('adds no trace fields outside a trace', () => {
    const line = logged('outside');

    expect(line).not.toHaveProperty('trace_id');
    expect(line).not.toHaveProperty('span_id');
    expect(line).not.toHaveProperty('trace_flags');
  });

  it('lets a field the caller logs win over the mixin’s', () => {
    const span = trace.getTracer('spec').startSpan('work');
    context.with(trace.setSpan(context.active(), span), () =>
      logger.info({ trace_id: 'from-the-caller' }, 'explicit'),
    );
    span.end();

    expect(lines.at(-1)).toMatchObject({ trace_id: 'from-the-caller' });
  });
});
