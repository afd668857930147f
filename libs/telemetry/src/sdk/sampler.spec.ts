import { context, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { defaultSamplingRatio, samplerFromEnv } from './sampler';

const describeSampler = (env: NodeJS.ProcessEnv) => samplerFromEnv(env).toString();

/** The decision for a new span whose parent, if any, was or was not sampled. */
function decide(env: NodeJS.ProcessEnv, parent?: 'sampled' | 'not sampled'): SamplingDecision {
  const parentContext = parent
    ? trace.setSpanContext(context.active(), {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: parent === 'sampled' ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      })
    : context.active();
  return samplerFromEnv(env).shouldSample(
    parentContext,
    'ffffffffffffffffffffffffffffffff',
    'GET /items/:id',
    SpanKind.SERVER,
    {},
    [],
  ).decision;
}

describe('samplerFromEnv', () => {
  it.each([
    ['always_on', 'AlwaysOnSampler'],
    ['always_off', 'AlwaysOffSampler'],
    ['traceidratio', 'TraceIdRatioBased{0.25}'],
    ['parentbased_always_on', 'ParentBased{root=AlwaysOnSampler,'],
    ['parentbased_always_off', 'ParentBased{root=AlwaysOffSampler,'],
    ['parentbased_traceidratio', 'ParentBased{root=TraceIdRatioBased{0.25},'],
  ])('builds the sampler OTEL_TRACES_SAMPLER=%s names', (name, expected) => {
    expect(
      describeSampler({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: '0.25' }),
    ).toContain(expected);
  });

  it('reads the sampler name regardless of case and surrounding spaces', () => {
    expect(describeSampler({ OTEL_TRACES_SAMPLER: ' Always_On ' })).toBe('AlwaysOnSampler');
  });

  it('defaults to parent-based ratio sampling: every trace in development, 10% in production', () => {
    expect(describeSampler({})).toMatch(/^ParentBased\{root=TraceIdRatioBased\{1\},/);
    expect(describeSampler({ NODE_ENV: 'test' })).toMatch(/root=TraceIdRatioBased\{1\},/);
    expect(describeSampler({ NODE_ENV: 'production' })).toMatch(/root=TraceIdRatioBased\{0.1\},/);
    expect(defaultSamplingRatio('production')).toBe(0.1);
    expect(defaultSamplingRatio(undefined)).toBe(1);
  });

  it('takes the ratio from OTEL_TRACES_SAMPLER_ARG, over the default, when it is set', () => {
    const production = { NODE_ENV: 'production', OTEL_TRACES_SAMPLER: 'traceidratio' };
    expect(describeSampler({ ...production, OTEL_TRACES_SAMPLER_ARG: '0.5' })).toBe(
      'TraceIdRatioBased{0.5}',
    );
    expect(describeSampler({ ...production, OTEL_TRACES_SAMPLER_ARG: ' 1 ' })).toBe(
      'TraceIdRatioBased{1}',
    );
    expect(describeSampler({ ...production, OTEL_TRACES_SAMPLER_ARG: '0' })).toBe(
      'TraceIdRatioBased{0}',
    );
    expect(describeSampler({ ...production, OTEL_TRACES_SAMPLER_ARG: '' })).toBe(
      'TraceIdRatioBased{0.1}',
    );
  });

  it('follows the caller: a parent-based sampler keeps sampled traces and drops unsampled ones', () => {
    const alwaysOffRoot = { OTEL_TRACES_SAMPLER: 'parentbased_always_off' };
    expect(decide(alwaysOffRoot)).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(alwaysOffRoot, 'sampled')).toBe(SamplingDecision.RECORD_AND_SAMPLED);

    const alwaysOnRoot = { OTEL_TRACES_SAMPLER: 'parentbased_always_on' };
    expect(decide(alwaysOnRoot)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(alwaysOnRoot, 'not sampled')).toBe(SamplingDecision.NOT_RECORD);

    // A plain ratio sampler ignores the parent's decision.
    expect(decide({ OTEL_TRACES_SAMPLER: 'always_on' }, 'not sampled')).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it('ignores OTEL_TRACES_SAMPLER_ARG for samplers that take no ratio', () => {
    expect(
      describeSampler({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'x' }),
    ).toBe('AlwaysOnSampler');
  });

  it('refuses an unknown sampler, naming OTEL_TRACES_SAMPLER and the value', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      /^OTEL_TRACES_SAMPLER: unsupported sampler "sometimes"/,
    );
  });

  it.each(['abc', '1.5', '-0.1', 'NaN', 'Infinity'])(
    'refuses OTEL_TRACES_SAMPLER_ARG=%s, naming the variable',
    (arg) => {
      for (const sampler of ['traceidratio', 'parentbased_traceidratio']) {
        expect(() =>
          samplerFromEnv({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: arg }),
        ).toThrow(`OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got "${arg}"`);
      }
    },
  );

  it('refuses a bad ratio even when only the default sampler reads it', () => {
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      /^OTEL_TRACES_SAMPLER_ARG/,
    );
  });
});
