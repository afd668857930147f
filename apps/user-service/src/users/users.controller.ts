import { Body, Controller, Get, HttpCode, Param, Post, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AccessTokenDto, ApiErrors, LoginDto, RegisterDto, UserDto } from '@obs/api-contracts';
import { CALLER_ID_HEADER, CallerId, RecordCallerInterceptor, uuidParam } from '@obs/service-kit';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('users/register')
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, [409, 'The email is already registered.'], 413)
  register(@Body() request: RegisterDto): Promise<UserDto> {
    return this.users.register(request);
  }

  @Post('users/login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors(400, [401, 'Unknown email or wrong password.'], 413)
  login(@Body() request: LoginDto): Promise<AccessTokenDto> {
    return this.users.login(request);
  }

  /** The caller's profile; the gateway forwards the id from the verified token. */
  @Get('users/me')
  @ApiHeader({
    name: CALLER_ID_HEADER,
    required: true,
    description: 'The caller, set by the gateway.',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(
    [400, 'The caller id is not a user id.'],
    [401, `No ${CALLER_ID_HEADER} header.`],
    [404, 'The account no longer exists.'],
  )
  me(@CallerId() callerId: string): Promise<UserDto> {
    return this.users.get(callerId);
  }

  /** Internal: other services look a user up by id, for that user or on their own account. */
  @Get('internal/users/:id')
  @UseInterceptors(RecordCallerInterceptor)
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, [404, 'No user has this id.'])
  get(@Param('id', uuidParam('id')) id: string): Promise<UserDto> {
    return this.users.get(id);
  }
}
