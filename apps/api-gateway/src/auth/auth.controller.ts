import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  AccessTokenDto,
  ApiErrors,
  LoginDto,
  RegisterDto,
  UPSTREAM_ERRORS,
  UserDto,
} from '@obs/api-contracts';
import { type UpstreamClient, UpstreamClients } from '@obs/service-kit';
import type { Response } from 'express';
import { relay } from '../proxy/relay';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  private readonly users: UpstreamClient;

  constructor(upstreams: UpstreamClients) {
    this.users = upstreams.for('user-service');
  }

  @Post('register')
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, [409, 'The email is already registered.'], 413, ...UPSTREAM_ERRORS)
  register(@Body() request: RegisterDto, @Res({ passthrough: true }) response: Response) {
    return relay<UserDto>(this.users, '/users/register', response, {
      method: 'POST',
      body: request,
    });
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors(400, [401, 'Unknown email or wrong password.'], 413, ...UPSTREAM_ERRORS)
  login(@Body() request: LoginDto, @Res({ passthrough: true }) response: Response) {
    return relay<AccessTokenDto>(this.users, '/users/login', response, {
      method: 'POST',
      body: request,
    });
  }
}
