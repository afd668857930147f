import { createTraceState, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { startSpanSamplingFirst, startTelemetry } from './start-telemetry';

// Server spans under parent-based ratio sampling, with the real SDK: the sampler
// is asked before the SDK's span start, the new traces it keeps carry the judged
// trace id, and a caller's decision is followed.

const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });
startTelemetry({
  serviceName: 'sampling-first-spec',
  serviceVersion: 'test',
  spanProcessors: [processor],
  env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' },
});
const tracer = trace.getTracer('sampling-first-spec');
const judge = new TraceIdRatioBasedSampler(0.5);

describe('startSpanSamplingFirst: a new trace', () => {
  const spans = Array.from({ length: 1000 }, () => {
    const span = startSpanSamplingFirst(tracer, 'GET', SpanKind.SERVER, ROOT_CONTEXT);
    span.end();
    return span;
  });
  const kept = spans.filter((span) => span.spanContext().traceFlags & TraceFlags.SAMPLED);
  const dropped = spans.filter((span) => !(span.spanContext().traceFlags & TraceFlags.SAMPLED));

  it('keeps the traces the ratio sampler keeps, judged on the trace id each span carries', () => {
    for (const span of spans) {
      const { traceId, traceFlags } = span.spanContext();
      const verdict = judge.shouldSample(ROOT_CONTEXT, traceId).decision;
      expect(traceFlags & TraceFlags.SAMPLED ? 'kept' : 'dropped').toBe(
        verdict ? 'kept' : 'dropped',
      );
    }
    // Half of them, as the ratio says (1000 tosses: 400–600 fails once in ~10^10 runs). Were the
    // SDK to judge a fresh trace id of its own after this one passed, only a quarter would be kept.
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(600);
  });

  it('exports every kept span under its own trace id, and nothing for a dropped one', async () => {
    await processor.forceFlush();
    const exported = exporter.getFinishedSpans().map((span) => span.spanContext().traceId);
    exporter.reset();
    expect(exported.sort()).toEqual(kept.map((span) => span.spanContext().traceId).sort());
    expect(new Set(exported).size).toBe(exported.length);
  });

  it('gives a dropped trace valid ids, as the SDK would', () => {
    for (const span of dropped) {
      expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
      expect(span.isRecording()).toBe(false);
    }
  });

  it('leaves no handed-over trace id behind for the next span', () => {
    const before = new Set(spans.map((span) => span.spanContext().traceId));
    const next = tracer.startSpan('next');
    next.end();
    expect(before.has(next.spanContext().traceId)).toBe(false);
  });
});

describe('startSpanSamplingFirst: a caller’s trace', () => {
  const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpan = '00f067aa0ba902b7';
  const traceState = createTraceState('vendor=value');
  const from = (traceFlags: TraceFlags) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: callerTrace,
      spanId: callerSpan,
      traceFlags,
      traceState,
      isRemote: true,
    });

  beforeEach(() => exporter.reset());

  it('continues a caller’s unsampled trace unrecorded, with its own span id and the trace state', async () => {
    const span = startSpanSamplingFirst(tracer, 'GET', SpanKind.SERVER, from(TraceFlags.NONE));
    span.end();
    await processor.forceFlush();

    const { traceId, spanId, traceFlags } = span.spanContext();
    expect({ traceId, traceFlags, recording: span.isRecording() }).toEqual({
      traceId: callerTrace,
      traceFlags: TraceFlags.NONE,
      recording: false,
    });
    expect(spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    expect(spanId).not.toBe(callerSpan);
    expect(span.spanContext().traceState?.get('vendor')).toBe('value');
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('records a caller’s sampled trace as the SDK does, whatever the ratio says', async () => {
    const span = startSpanSamplingFirst(tracer, 'GET', SpanKind.SERVER, from(TraceFlags.SAMPLED));
    span.end();
    await processor.forceFlush();

    const [exported] = exporter.getFinishedSpans();
    expect(exported.spanContext().traceId).toBe(callerTrace);
    expect(exported.parentSpanContext?.spanId).toBe(callerSpan);
  });
});
