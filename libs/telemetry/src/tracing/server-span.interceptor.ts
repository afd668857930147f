import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Context, context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';
import { routeTemplate, UNMATCHED_ROUTE } from '../http/route-template';

/**
 * What Nest knows about a request and the http instrumentation does not, given
 * to the server span the instrumentation started: **the route template**, as
 * soon as Nest dispatches the request to its handler. Set as `route` of the
 * request's RPC metadata, the instrumentation's documented way in (the fastify
 * and hapi integrations do the same), it names the span `METHOD /route/:template`
 * and sets `http.route` when the span ends. A request a guard rejects never
 * reaches an interceptor: its span keeps the method alone, while its metrics and
 * request line carry the route. Errors are recorded where their answer is
 * decided, the exception filter (`recordServerError`).
 */
@Injectable()
export class ServerSpanInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() === 'http')
      nameRoute(context.active(), execution.switchToHttp().getRequest<IncomingMessage>());
    return next.handle();
  }
}

function nameRoute(active: Context, request: IncomingMessage): void {
  const rpc = getRPCMetadata(active);
  const route = routeTemplate(request);
  if (rpc?.type === RPCType.HTTP && route !== UNMATCHED_ROUTE) rpc.route = route;
}
