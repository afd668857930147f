import { BadRequestException, ParseIntPipe, ParseUUIDPipe } from '@nestjs/common';

/** Parses a path parameter as an integer; a 400 names the parameter. */
export function intParam(name: string): ParseIntPipe {
  return new ParseIntPipe({
    exceptionFactory: () => new BadRequestException(`${name} must be an integer`),
  });
}

/** Parses a path parameter as a UUID; a 400 names the parameter. */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new BadRequestException(`${name} must be a UUID`),
  });
}
