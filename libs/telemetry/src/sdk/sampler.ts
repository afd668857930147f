import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/** Ratio used when neither OTEL_TRACES_SAMPLER nor OTEL_TRACES_SAMPLER_ARG says otherwise. */
export function defaultSamplingRatio(nodeEnv: string | undefined): number {
  // Production keeps 10% of new traces (the overhead budget); development keeps
  // every trace so a newcomer sees each request they make in Jaeger.
  return nodeEnv === 'production' ? 0.1 : 1;
}

/**
 * Builds the sampler the OpenTelemetry specification describes for
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, defaulting to parent-based
 * ratio sampling. An unknown sampler name or a bad ratio throws, naming the variable.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_traceidratio').trim().toLowerCase();
  const ratio = () => parseRatio(env.OTEL_TRACES_SAMPLER_ARG, defaultSamplingRatio(env.NODE_ENV));
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER: unsupported sampler "${env.OTEL_TRACES_SAMPLER}" ` +
          '(use always_on, always_off, traceidratio, parentbased_always_on, ' +
          'parentbased_always_off or parentbased_traceidratio)',
      );
  }
}

function parseRatio(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const ratio = Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(`OTEL_TRACES_SAMPLER_ARG: expected a ratio between 0 and 1, got "${raw}"`);
  }
  return ratio;
}
