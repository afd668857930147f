import {
  BadRequestException,
  ConflictException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { toErrorBody } from './http-error.filter';

describe('toErrorBody', () => {
  it('keeps the status and message of an HttpException', () => {
    expect(toErrorBody(new NotFoundException('product 9 does not exist'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'product 9 does not exist',
    });
    expect(toErrorBody(new ServiceUnavailableException('user-service is unavailable'))).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'user-service is unavailable',
    });
  });

  it('keeps every message of a validation error, so each field is named', () => {
    const validation = new BadRequestException(['email must be an email', 'password is too short']);

    expect(toErrorBody(validation)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: ['email must be an email', 'password is too short'],
    });
  });

  it('passes on a body an upstream answered with, and fills in what it lacks', () => {
    const relayed = new HttpException(
      { statusCode: 409, error: 'Conflict', message: 'not enough stock for product 3' },
      409,
    );
    expect(toErrorBody(relayed)).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'not enough stock for product 3',
    });
    expect(toErrorBody(new HttpException({ message: 'slow down' }, 429))).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'slow down',
    });
  });

  it('uses the status reason for an HttpException built from a plain string', () => {
    expect(toErrorBody(new HttpException('teapot', 418))).toEqual({
      statusCode: 418,
      error: "I'm a Teapot",
      message: 'teapot',
    });
    expect(toErrorBody(new ConflictException())).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'Conflict',
    });
  });

  it('answers 400 for a body that is not JSON, without echoing the parser', () => {
    const parseError = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), {
      status: 400,
      type: 'entity.parse.failed',
    });

    expect(toErrorBody(parseError)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'request body is not valid JSON',
    });
  });

  it('answers 413 for a body that is too large', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      type: 'entity.too.large',
    });

    expect(toErrorBody(tooLarge)).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'request body is too large',
    });
  });

  it('keeps the message of another client error that carries a 4xx status', () => {
    const unsupported = Object.assign(new Error('unsupported charset "UTF-7"'), {
      status: 415,
      type: 'charset.unsupported',
    });

    expect(toErrorBody(unsupported)).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      message: 'unsupported charset "UTF-7"',
    });
  });

  it.each([
    ['an Error', new Error('connection terminated: password authentication failed')],
    ['an error carrying a 5xx status', Object.assign(new Error('pool exhausted'), { status: 503 })],
    ['a thrown string', 'something broke'],
    ['null', null],
  ])('answers 500 with a generic message for %s, revealing nothing', (_kind, thrown) => {
    expect(toErrorBody(thrown)).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
  });
});

describe('toErrorBody for the data errors PostgreSQL raises', () => {
  // The embedded engine in memory, through Drizzle as the services use it.
  const client = new PGlite();
  const db = drizzle(client);
  afterAll(() => client.close());
  const refused = (query: SQL) =>
    db.execute(query).then(
      () => {
        throw new Error('the query was expected to fail');
      },
      (error: unknown) => error,
    );

  it('answers 400 for a number a column cannot hold (22003) and an invalid text (22P02)', async () => {
    expect(toErrorBody(await refused(sql`select ${'9007199254740992'}::int`))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message:
        'a value in the request cannot be stored: value "9007199254740992" is out of range for type integer',
    });
    expect(toErrorBody(await refused(sql`select ${'not-a-uuid'}::uuid`))).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('invalid input syntax for type uuid'),
    });
  });

  it('answers 400 for text PostgreSQL cannot store, such as a NUL character', async () => {
    const error = await refused(sql`select ${'a\u0000b'}::text`);

    expect(toErrorBody(error)).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it('keeps any other database error a 500 without its details', async () => {
    const error = await refused(sql`select * from no_such_table`);

    expect(toErrorBody(error)).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal server error',
    });
  });
});
