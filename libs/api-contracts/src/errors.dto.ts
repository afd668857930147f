import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';

/** The body of every error answer: `{statusCode, error, message}`. */
export class ErrorBodyDto {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({ description: 'The HTTP reason phrase.', example: 'Bad Request' })
  error: string;

  @ApiProperty({
    description: 'What went wrong; a validation error lists one message per offending field.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['email must be an email'],
  })
  message: string | string[];
}

/** The error statuses the API answers with, and what each means by default. */
export const ERROR_DESCRIPTIONS = {
  400: 'The request is invalid; the message names every offending field.',
  401: 'Authentication is missing or invalid.',
  404: 'The resource does not exist.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is too large.',
  502: 'A service this one called failed.',
  503: 'A service this one needs is unavailable.',
  504: 'A service this one called did not answer in time.',
} as const;
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/** What any operation that calls another service may answer when that service fails. */
export const UPSTREAM_ERRORS = [502, 503, 504] as const satisfies readonly ErrorStatus[];

/**
 * Documents the error answers of an operation, each with the `ErrorBodyDto` schema:
 * a status alone takes its default description, `[status, description]` says more.
 */
export function ApiErrors(...responses: (ErrorStatus | [ErrorStatus, string])[]) {
  return applyDecorators(
    ...responses.map((response) => {
      const [status, description] =
        typeof response === 'number' ? [response, ERROR_DESCRIPTIONS[response]] : response;
      return ApiResponse({ status, description, type: ErrorBodyDto });
    }),
  );
}
