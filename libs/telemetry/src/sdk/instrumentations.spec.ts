import { selectedInstrumentationNames } from './instrumentations';
import { productionSampler } from './start-telemetry';

// The environment contract of the preload, read as the SDK reads it: from process.env.

const VARIABLES = [
  'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
  'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'NODE_ENV',
] as const;

function withEnv<T>(env: Partial<Record<(typeof VARIABLES)[number], string>>, read: () => T): T {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) {
    if (env[name] === undefined) delete process.env[name];
    else process.env[name] = env[name];
  }
  try {
    return read();
  } finally {
    for (const name of VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

describe('selectedInstrumentationNames', () => {
  it('has http, undici, pg and pino on by default; express and nestjs-core off', () => {
    expect(withEnv({}, selectedInstrumentationNames)).toEqual(['http', 'undici', 'pg', 'pino']);
  });

  it('takes exactly the names OTEL_NODE_ENABLED_INSTRUMENTATIONS lists', () => {
    expect(
      withEnv(
        { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, express,nestjs-core,pg,pino' },
        selectedInstrumentationNames,
      ),
    ).toEqual(['http', 'pg', 'pino', 'express', 'nestjs-core']);
    expect(
      withEnv({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'undici' }, selectedInstrumentationNames),
    ).toEqual(['undici']);
  });

  it('removes the names OTEL_NODE_DISABLED_INSTRUMENTATIONS lists, from either set', () => {
    expect(
      withEnv({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg,pino' }, selectedInstrumentationNames),
    ).toEqual(['http', 'undici']);
    expect(
      withEnv(
        {
          OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express',
          OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express',
        },
        selectedInstrumentationNames,
      ),
    ).toEqual(['http']);
  });

  it('ignores names it does not know', () => {
    expect(
      withEnv({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,redis' }, selectedInstrumentationNames),
    ).toEqual(['http']);
  });
});

describe('productionSampler', () => {
  it('keeps 10% of new traces, parent-based, in production', () => {
    expect(withEnv({ NODE_ENV: 'production' }, productionSampler)?.toString()).toBe(
      'ParentBased{root=TraceIdRatioBased{0.1}, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}',
    );
  });

  it('takes its ratio from OTEL_TRACES_SAMPLER_ARG', () => {
    expect(
      withEnv({ NODE_ENV: 'production', OTEL_TRACES_SAMPLER_ARG: '0.5' }, productionSampler)
        ?.toString()
        .startsWith('ParentBased{root=TraceIdRatioBased{0.5}'),
    ).toBe(true);
  });

  it('leaves the choice to the SDK outside production or when OTEL_TRACES_SAMPLER is set', () => {
    expect(withEnv({ NODE_ENV: 'development' }, productionSampler)).toBeUndefined();
    expect(
      withEnv({ NODE_ENV: 'production', OTEL_TRACES_SAMPLER: 'always_on' }, productionSampler),
    ).toBeUndefined();
  });
});
