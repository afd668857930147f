import {
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  UnauthorizedException,
} from '@nestjs/common';
import { setRequestUser } from '@obs/telemetry';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/** Header the gateway sets after verifying the caller's access token. */
export const CALLER_ID_HEADER = 'x-user-id';

/**
 * The id of the authenticated caller. Services sit behind the gateway, which
 * verifies the bearer token and forwards only the user id it contains; the id
 * goes on the request's server span and request line as `user.id`.
 */
export const CallerId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => {
    const request = context.switchToHttp().getRequest<Request>();
    const callerId = request.headers[CALLER_ID_HEADER];
    if (typeof callerId !== 'string' || callerId === '') {
      throw new UnauthorizedException(`the ${CALLER_ID_HEADER} header is required`);
    }
    setRequestUser(request, callerId);
    return callerId;
  },
);

/**
 * For routes that do not require a caller but may be called on one's behalf
 * (internal routes, public reads another service makes for a user): records the
 * `x-user-id` a service forwarded as `user.id`, when there is one. For services
 * behind the gateway only: at the gateway the header is the client's to forge.
 */
@Injectable()
export class RecordCallerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const callerId = request.headers[CALLER_ID_HEADER];
    if (typeof callerId === 'string' && callerId !== '') setRequestUser(request, callerId);
    return next.handle();
  }
}

/** The headers of a call another service makes on behalf of the caller. */
export function onBehalfOf(callerId: string): { headers: Record<string, string> } {
  return { headers: { [CALLER_ID_HEADER]: callerId } };
}
