import { createParamDecorator, type ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { setRequestUser } from '@obs/telemetry';
import type { Request } from 'express';

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
