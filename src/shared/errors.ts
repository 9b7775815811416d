/**
 * Every error a caller can see carries a stable, machine-readable code. HTTP status lives
 * next to the code so the API's one error handler can map any AppError without a table.
 */
export type ErrorDetails = Record<string, unknown> | unknown[] | undefined;

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: string, message: string, status = 400, details?: ErrorDetails) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: ErrorDetails, code = 'validation_failed') {
    super(code, message, 422, details);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string | number) {
    super('not_found', `${what} ${id} not found`, 404, { what, id });
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, details?: ErrorDetails) {
    super(code, message, 409, details);
    this.name = 'ConflictError';
  }
}

export class ConfigError extends AppError {
  constructor(problems: string[]) {
    super('config_invalid', `invalid configuration:\n  ${problems.join('\n  ')}`, 500, { problems });
    this.name = 'ConfigError';
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
