// What one call to another service costs its caller in CPU: node:http with a keep-alive agent,
// traced by the http instrumentation's client side, against global fetch, traced by the undici
// instrumentation; each also with no instrumentation (the `baseline` services). Each call runs
// inside a server span, sampled one time in ten as in production, against a JSON server in a
// child process (its CPU is not counted). The variants interleave in one process.
//   node bench/micro/upstream-call.ts
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  InMemorySpanExporter,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';

if (process.argv[2] === 'server') {
  const { createServer } = await import('node:http');
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () =>
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"id":1,"name":"Ultrabook Lite","price":1299}'),
    );
  });
  server.listen(0, '127.0.0.1', () => process.send!(server.address()));
  process.on('disconnect', () => process.exit(0));
} else {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const instrumentations = [
    new HttpInstrumentation({ requireParentforOutgoingSpans: true }),
    new UndiciInstrumentation({ requireParentforSpans: true }),
  ];
  for (const instrumentation of instrumentations) instrumentation.setTracerProvider(provider);
  // Required, not imported: the http instrumentation patches node:http when it is required.
  const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

  const child = fork(import.meta.filename, ['server'], { stdio: 'inherit' });
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const origin = `http://127.0.0.1:${port}`;
  const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 4_000 });

  const viaNodeHttp = () =>
    new Promise<string>((resolve, reject) => {
      const call = http.request(`${origin}/products/1`, { agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
      const deadline = setTimeout(() => call.destroy(), 3_000);
      call.on('close', () => clearTimeout(deadline));
      call.on('error', reject);
      call.end();
    });
  const viaFetch = async () => {
    const abort = new AbortController();
    const deadline = setTimeout(() => abort.abort(), 3_000);
    try {
      return await (await fetch(`${origin}/products/1`, { signal: abort.signal })).text();
    } finally {
      clearTimeout(deadline);
    }
  };
  const tracer = provider.getTracer('bench');
  const inServerSpan = (call: () => Promise<string>) => () =>
    tracer.startActiveSpan('GET /products/:id', { kind: SpanKind.SERVER }, (span) =>
      call().finally(() => span.end()),
    );

  const variants: Record<string, [boolean, () => Promise<unknown>]> = {
    'node:http, no instr.': [false, inServerSpan(viaNodeHttp)],
    'fetch, no instr.': [false, inServerSpan(viaFetch)],
    'node:http, http instr.': [true, inServerSpan(viaNodeHttp)],
    'fetch, undici instr.': [true, inServerSpan(viaFetch)],
  };
  const cpuPerCall = async (
    [instrumented, call]: [boolean, () => Promise<unknown>],
    calls: number,
  ) => {
    for (const instrumentation of instrumentations)
      if (instrumented) instrumentation.enable();
      else instrumentation.disable();
    const start = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / calls;
  };
  for (const variant of Object.values(variants)) await cpuPerCall(variant, 2_000);
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < 7; round++)
    for (const [name, variant] of Object.entries(variants))
      (samples[name] ??= []).push(await cpuPerCall(variant, 3_000));
  for (const [name, values] of Object.entries(samples)) {
    values.sort((a, b) => a - b);
    const [min, median, max] = [values[0], values[3], values[6]].map((v) => v.toFixed(1));
    console.log(`${name.padEnd(24)} ${median} µs per call (${min}–${max})`);
  }
  await provider.forceFlush();
  const spans = new Map<string, number>();
  for (const span of exporter.getFinishedSpans())
    spans.set(span.instrumentationScope.name, (spans.get(span.instrumentationScope.name) ?? 0) + 1);
  console.log('spans recorded (one call in ten sampled):', Object.fromEntries(spans));
  agent.destroy();
  child.disconnect();
  await provider.shutdown();
}
