import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccessTokenDto, LoginDto, RegisterDto, UserDto } from '@obs/api-contracts';
import { CallerId, uuidParam } from '@obs/service-kit';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('users/register')
  @ApiCreatedResponse({ type: UserDto })
  @ApiConflictResponse({ description: 'The email is already registered.' })
  register(@Body() request: RegisterDto): Promise<UserDto> {
    return this.users.register(request);
  }

  @Post('users/login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password.' })
  login(@Body() request: LoginDto): Promise<AccessTokenDto> {
    return this.users.login(request);
  }

  /** The caller's profile; the gateway forwards the id from the verified token. */
  @Get('users/me')
  @ApiOkResponse({ type: UserDto })
  me(@CallerId() callerId: string): Promise<UserDto> {
    return this.users.get(callerId);
  }

  /** Internal: other services look a user up by id. */
  @Get('internal/users/:id')
  @ApiOkResponse({ type: UserDto })
  get(@Param('id', uuidParam('id')) id: string): Promise<UserDto> {
    return this.users.get(id);
  }
}
