import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES } from 'node:http';

/** The contract's error body. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

/**
 * Every error leaves as `{statusCode, error, message}`. An HttpException keeps
 * its status; a body-parser error keeps its 4xx; a value PostgreSQL refuses as
 * data (SQLSTATE class 22) is the client's 400; anything else is a 500 whose
 * details go to the log, never to the client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500 && !(exception instanceof HttpException)) {
      // An Error object, not its stack as text: the logger writes it as the structured `err`.
      this.logger.error(exception instanceof Error ? exception : new Error(String(exception)));
    }
    if (response.headersSent) return;
    response.status(body.statusCode).json(body);
  }
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const payload = exception.getResponse();
    if (typeof payload === 'object' && payload !== null && 'message' in payload) {
      const { message, error } = payload as Partial<ErrorBody>;
      return {
        statusCode: status,
        error: error ?? reason(status),
        message: message ?? reason(status),
      };
    }
    const message = typeof payload === 'string' ? payload : reason(status);
    return { statusCode: status, error: reason(status), message };
  }
  const dataError = databaseDataError(exception);
  if (dataError)
    return {
      statusCode: HttpStatus.BAD_REQUEST,
      error: reason(HttpStatus.BAD_REQUEST),
      message: `a value in the request cannot be stored: ${dataError.message}`,
    };
  const status = clientErrorStatus(exception);
  if (status)
    return {
      statusCode: status,
      error: reason(status),
      message: clientErrorMessage(exception, status),
    };
  return {
    statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
    error: reason(HttpStatus.INTERNAL_SERVER_ERROR),
    message: 'Internal server error',
  };
}

/**
 * PostgreSQL's "data exception" class (22P02 invalid text, 22003 out of range, 22021
 * a NUL byte, …): the request carried a value the column cannot hold. The second line
 * of defence behind the DTOs' bounds. Both engines set the SQLSTATE as `code`, and
 * Drizzle wraps their error as `cause`; the driver's message never includes the SQL.
 */
function databaseDataError(exception: unknown): Error | undefined {
  for (let current = exception; current; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && current instanceof Error)
      return current;
  }
  return undefined;
}

/** body-parser reports malformed or oversized bodies as errors carrying a 4xx `status`. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

function clientErrorMessage(exception: unknown, status: number): string {
  if (status === HttpStatus.PAYLOAD_TOO_LARGE) return 'request body is too large';
  if ((exception as { type?: string }).type === 'entity.parse.failed')
    return 'request body is not valid JSON';
  return exception instanceof Error ? exception.message : reason(status);
}

function reason(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
