import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { IsStorableText } from './limits';

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  @IsEmail()
  @MaxLength(254)
  @IsStorableText()
  email: string;

  @ApiProperty({ minLength: 8, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MinLength(8)
  @MaxLength(128)
  password: string;

  @ApiProperty({ minLength: 1, maxLength: 100, example: 'Ada Lovelace' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @IsStorableText()
  name: string;
}

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  email: string;

  @ApiProperty({ minLength: 1, maxLength: 128, example: 'correct horse battery' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  email: string;

  @ApiProperty()
  name: string;
}

export class AccessTokenDto {
  @ApiProperty({ description: 'A JWT to send as `Authorization: Bearer <token>`.' })
  accessToken: string;
}

/** Claims of the access token the user-service issues and the gateway verifies. */
export interface AccessTokenClaims {
  /** The user's id. */
  sub: string;
  email: string;
}
