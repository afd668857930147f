import {
  ConflictException,
  Injectable,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type {
  AccessTokenClaims,
  AccessTokenDto,
  LoginDto,
  RegisterDto,
  UserDto,
} from '@obs/api-contracts';
import { InjectMetric } from '@obs/telemetry';
import type { Counter } from 'prom-client';
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password-hasher';
import { USER_LOGINS_TOTAL, USERS_REGISTERED_TOTAL } from './users.metrics';
import { type UserRow, UsersRepository } from './users.repository';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly jwt: JwtService,
    @InjectMetric(USERS_REGISTERED_TOTAL) private readonly registrations: Counter<'result'>,
    @InjectMetric(USER_LOGINS_TOTAL) private readonly logins: Counter<'result'>,
  ) {}

  async register(request: RegisterDto): Promise<UserDto> {
    const user = await this.users.insert({
      email: request.email.toLowerCase(),
      name: request.name,
      passwordHash: await hashPassword(request.password),
    });
    if (!user) {
      this.registrations.inc({ result: 'conflict' });
      throw new ConflictException('email is already registered');
    }
    this.registrations.inc({ result: 'success' });
    return toUserDto(user);
  }

  async login(request: LoginDto): Promise<AccessTokenDto> {
    const user = await this.users.findByEmail(request.email.toLowerCase());
    const valid = await verifyPassword(
      request.password,
      user?.passwordHash ?? (await UNKNOWN_USER_HASH),
    );
    if (!user || !valid) {
      this.logins.inc({ result: 'failure' });
      throw new UnauthorizedException('email or password is wrong');
    }
    this.logins.inc({ result: 'success' });
    const claims: AccessTokenClaims = { sub: user.id, email: user.email };
    return { accessToken: await this.jwt.signAsync(claims) };
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundException(`user ${id} does not exist`);
    return toUserDto(user);
  }
}

/** The profile as the API shows it: never the password hash. */
function toUserDto(user: UserRow): UserDto {
  return { id: user.id, email: user.email, name: user.name };
}
