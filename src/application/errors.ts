/** The error codes of the contract that a command or query can end with. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'QUERY_TOO_COMPLEX'
  | 'RATE_LIMITED'
  | 'SERVICE_UNAVAILABLE'
  | 'SUBSCRIBER_TOO_SLOW';

export type FieldPath = readonly (string | number)[];

/** A refusal the client can act on: a code, a message and, for input problems, the path of the offending field. */
export class TimelineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path?: FieldPath,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'TimelineError';
  }
}

export const badInput = (message: string, path: FieldPath, details?: Record<string, unknown>): TimelineError =>
  new TimelineError('BAD_USER_INPUT', message, path, details);

export const notFound = (message: string, path?: FieldPath): TimelineError =>
  new TimelineError('NOT_FOUND', message, path);

export const conflict = (message: string, path?: FieldPath, details?: Record<string, unknown>): TimelineError =>
  new TimelineError('CONFLICT', message, path, details);
