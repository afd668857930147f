// First, as a service's preload: the SDK with an in-memory exporter.
import { startInMemoryTelemetry } from '@obs/telemetry/testing';

const { exporter, flush } = startInMemoryTelemetry('test-service');
import type { INestApplication } from '@nestjs/common';
import { context, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type UpstreamClient, UpstreamClients } from './upstream-client';
import { startUpstreamTestApp } from './upstream-test-app';

// The trace context an upstream call carries, in a sampled trace and in one that is not.

describe('UpstreamClient tracing', () => {
  const traceparents: (string | undefined)[] = [];
  let stub: Server;
  let app: INestApplication;
  let products: UpstreamClient;

  beforeAll(async () => {
    stub = createServer((request, response) => {
      traceparents.push(request.headers.traceparent as string | undefined);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    app = await startUpstreamTestApp({
      PRODUCT_SERVICE_URL: `http://127.0.0.1:${(stub.address() as AddressInfo).port}`,
    });
    products = app.get(UpstreamClients).for('product-service');
  });

  afterAll(async () => {
    await app.close();
    stub.closeAllConnections();
    await new Promise((resolve) => stub.close(resolve));
  });

  beforeEach(() => {
    traceparents.length = 0;
    exporter.reset();
  });

  /** Calls the stub inside a server span continuing a caller's sampled or unsampled trace. */
  async function callUnder(sampled: boolean) {
    const caller = trace.setSpanContext(context.active(), {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
    const server = trace
      .getTracer('test')
      .startSpan('GET /items', { kind: SpanKind.SERVER }, caller);
    await context.with(trace.setSpan(caller, server), () => products.request('/products/1'));
    server.end();
    await flush();
    return server.spanContext().spanId;
  }

  it('makes a client span in a sampled trace and names it as the callee’s parent', async () => {
    await callUnder(true);
    const [client] = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.CLIENT);
    expect(client.name).toBe('GET');
    expect(traceparents).toEqual([
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${client.spanContext().spanId}-01`,
    ]);
  });

  it('makes no client span in a trace that is not sampled, and the callee still continues it', async () => {
    const serverSpanId = await callUnder(false);
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(traceparents).toEqual([`00-4bf92f3577b34da6a3ce929d0e0e4736-${serverSpanId}-00`]);
  });
});
