// Typed domain errors. The API maps them to problem+json statuses; workflow validators
// turn them into ApplicationFailures of the same type name.

export abstract class DomainError extends Error {
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 503;
  /** Stable machine-readable kind, used as the ApplicationFailure type across Temporal. */
  abstract readonly kind: string;
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly kind = 'ValidationError';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class Unauthorized extends DomainError {
  readonly status = 401;
  readonly kind = 'Unauthorized';
  override name = 'Unauthorized';
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly kind = 'Forbidden';
  override name = 'Forbidden';
}

export class NotFound extends DomainError {
  readonly status = 404;
  readonly kind = 'NotFound';
  override name = 'NotFound';
}

/** A request that contradicts the current state, e.g. resolving a closed incident. */
export class IllegalTransition extends DomainError {
  readonly status = 409;
  readonly kind = 'IllegalTransition';
  override name = 'IllegalTransition';
  constructor(
    message: string,
    /** The field the state asks for, when one would make the request acceptable (e.g. breachCause). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A step that was taken but whose record Postgres refused for its data (the timeline says so). */
export class Unprocessable extends DomainError {
  readonly status = 422;
  readonly kind = 'Unprocessable';
  override name = 'Unprocessable';
}

/** The failure type of an activity that Postgres refused for its data: retrying cannot help. */
export const dataErrorType = 'DataError';

export class Unavailable extends DomainError {
  readonly status = 503;
  readonly kind = 'Unavailable';
  override name = 'Unavailable';
  constructor(
    message: string,
    /** When to try again, for the Retry-After header. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

/** Maps a failure type name coming back from Temporal to the domain error it stands for. */
export function domainErrorFromKind(kind: string | undefined | null, message: string, field?: string): DomainError | undefined {
  switch (kind) {
    case 'ValidationError':
      return new ValidationError(message, field);
    case 'IllegalTransition':
      return new IllegalTransition(message, field);
    case 'NotFound':
      return new NotFound(message);
    case 'Forbidden':
      return new Forbidden(message);
    case 'Unprocessable':
      return new Unprocessable(message);
    default:
      return undefined;
  }
}
