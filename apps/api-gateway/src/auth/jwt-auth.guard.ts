import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AccessTokenClaims } from '@obs/api-contracts';
import { setRequestUser } from '@obs/telemetry';
import type { Request } from 'express';

/** A request the guard let through: `callerId` is the verified token's subject. */
export type AuthenticatedRequest = Request & { callerId: string };

/** Verifies the bearer token; services behind the gateway trust the caller id it forwards. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token)
      throw new UnauthorizedException('a bearer token is required');
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token);
    } catch {
      throw new UnauthorizedException('the bearer token is invalid or expired');
    }
    request.callerId = claims.sub;
    // The user id, never the token, goes on the span and the request line.
    setRequestUser(request, claims.sub);
    return true;
  }
}
