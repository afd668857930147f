import { startInMemoryTelemetry } from '../testing/in-memory-telemetry';

const { exporter, flush } = startInMemoryTelemetry('test-service');
import { SetMetadata } from '@nestjs/common';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { Span } from './span.decorator';

const TAG = 'test:tag';
/** Metadata on the method itself, the way Nest's and Swagger's decorators put it. */
const tag = (value: string) => SetMetadata(TAG, value);

class Repository {
  constructor(private readonly rows: string[]) {}

  @Span()
  @tag('kept')
  async find(index: number): Promise<string | undefined> {
    await Promise.resolve();
    return this.rows[index];
  }
}

/** Runs `work` as the child of a parent span from a caller whose trace was or was not sampled. */
function under<T>(sampled: boolean, work: () => T): T {
  const parent = trace.setSpanContext(context.active(), {
    traceId: sampled ? '4bf92f3577b34da6a3ce929d0e0e4736' : '5bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
  const span = trace.getTracer('test').startSpan('GET /rows/:id', {}, parent);
  try {
    return context.with(trace.setSpan(parent, span), work);
  } finally {
    span.end();
  }
}

describe('@Span()', () => {
  const repository = new Repository(['a', 'b']);

  beforeEach(() => exporter.reset());

  it('records a child span named after the class and method in a sampled trace', async () => {
    expect(await under(true, () => repository.find(1))).toBe('b');
    await flush();
    const names = exporter.getFinishedSpans().map((span) => span.name);
    expect(names).toContain('Repository.find');
  });

  it('makes no span in a trace that is not sampled, and the method still runs', async () => {
    expect(await under(false, () => repository.find(0))).toBe('a');
    await flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('lets the sampler decide outside any span', async () => {
    await repository.find(0);
    await flush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['Repository.find']);
  });

  it('keeps the name and metadata of the method', () => {
    expect(Repository.prototype.find.name).toBe('find');
    expect(Reflect.getMetadata(TAG, Repository.prototype.find)).toBe('kept');
  });
});
