import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccessTokenDto, LoginDto, RegisterDto, UserDto } from '@obs/api-contracts';
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
  @ApiConflictResponse({ description: 'The email is already registered.' })
  register(@Body() request: RegisterDto, @Res({ passthrough: true }) response: Response) {
    return relay<UserDto>(this.users, '/users/register', response, {
      method: 'POST',
      body: request,
    });
  }

  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password.' })
  login(@Body() request: LoginDto, @Res({ passthrough: true }) response: Response) {
    return relay<AccessTokenDto>(this.users, '/users/login', response, {
      method: 'POST',
      body: request,
    });
  }
}
