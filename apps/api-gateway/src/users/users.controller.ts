import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UPSTREAM_ERRORS, UserDto } from '@obs/api-contracts';
import { CALLER_ID_HEADER, type UpstreamClient, UpstreamClients } from '@obs/service-kit';
import type { Response } from 'express';
import { Caller } from '../auth/caller.decorator';
import { JwtAuthGuard } from '../auth/jwt-auth.guard';
import { relay } from '../proxy/relay';

@ApiTags('users')
@ApiBearerAuth()
@UseGuards(JwtAuthGuard)
@Controller('api/users')
export class UsersController {
  private readonly users: UpstreamClient;

  constructor(upstreams: UpstreamClients) {
    this.users = upstreams.for('user-service');
  }

  @Get('me')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(401, [404, 'The account no longer exists.'], ...UPSTREAM_ERRORS)
  me(@Caller() callerId: string, @Res({ passthrough: true }) response: Response) {
    return relay<UserDto>(this.users, '/users/me', response, {
      headers: { [CALLER_ID_HEADER]: callerId },
    });
  }
}
