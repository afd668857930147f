import { BadRequestException, Injectable, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { INT32_MAX } from '@obs/api-contracts';

/** A path id of an `integer` column: decimal digits only, from 1 to 2147483647. */
@Injectable()
class IntIdPipe implements PipeTransform<string, number> {
  constructor(private readonly name: string) {}

  transform(value: string): number {
    // Digits only: "1e3", "0x10", " 7" and "2.9e16" are not ids, whatever Number() makes of them.
    const id = /^[0-9]{1,10}$/.test(value) ? Number(value) : Number.NaN;
    if (!(id >= 1 && id <= INT32_MAX)) {
      throw new BadRequestException(`${this.name} must be an integer from 1 to ${INT32_MAX}`);
    }
    return id;
  }
}

/** Parses a path parameter as an integer id the database can hold; a 400 names the parameter. */
export function intParam(name: string): PipeTransform<string, number> {
  return new IntIdPipe(name);
}

/** Parses a path parameter as a UUID; a 400 names the parameter. */
export function uuidParam(name: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new BadRequestException(`${name} must be a UUID`),
  });
}
