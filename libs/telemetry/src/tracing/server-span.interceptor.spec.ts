import { startInMemoryTelemetry } from '../testing/in-memory-telemetry';

startInMemoryTelemetry('server-span-spec');
import type { ExecutionContext } from '@nestjs/common';
import { context, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { type RPCMetadata, RPCType, setRPCMetadata } from '@opentelemetry/core';
import { firstValueFrom, of } from 'rxjs';
import { ServerSpanInterceptor } from './server-span.interceptor';

// The interceptor with the real SDK: a server span in the request's RPC metadata, as the http
// instrumentation puts it there. The instrumentation's reading of `route` (span name,
// http.route) is proven end to end (e2e/).

const interceptor = new ServerSpanInterceptor();

/** What Nest hands an interceptor for an HTTP request Express matched to `routePath`. */
function httpExecution(routePath?: string): ExecutionContext {
  const request = routePath === undefined ? {} : { route: { path: routePath } };
  return {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

describe('ServerSpanInterceptor', () => {
  async function routeGiven(execution: ExecutionContext): Promise<string | undefined> {
    const server = trace.getTracer('spec').startSpan('GET', { kind: SpanKind.SERVER });
    const rpc: RPCMetadata = { type: RPCType.HTTP, span: server };
    const request = setRPCMetadata(trace.setSpan(ROOT_CONTEXT, server), rpc);
    await context.with(request, () =>
      firstValueFrom(interceptor.intercept(execution, { handle: () => of('ok') })),
    );
    server.end();
    return rpc.route;
  }

  it('gives the route template Express matched to the request RPC metadata', async () => {
    expect(await routeGiven(httpExecution('/items/:id'))).toBe('/items/:id');
  });

  it('leaves the route unset for a wildcard or a request without a matched route', async () => {
    expect(await routeGiven(httpExecution('/*path'))).toBeUndefined();
    expect(await routeGiven(httpExecution())).toBeUndefined();
  });

  it('leaves non-HTTP contexts alone', async () => {
    const rpcContext = { getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(await routeGiven(rpcContext)).toBeUndefined();
  });
});
