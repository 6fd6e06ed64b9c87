import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  TimeoutError,
  UnavailableError,
} from '@kurrent/kurrentdb-client';
import pTimeout from 'p-timeout';
import { StoreUnavailableError } from '../event-store.js';

/** How long one call to KurrentDB may take before the store counts as unreachable. */
export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

const isUnreachable = (error: unknown): boolean =>
  error instanceof UnavailableError ||
  error instanceof DeadlineExceededError ||
  error instanceof TimeoutError ||
  error instanceof CancelledError ||
  error instanceof NotLeaderError;

/**
 * Runs one call to KurrentDB within our own time limit. The client's own deadline is passed too, but an append to a
 * port that accepts connections and never answers can hang past it forever: the race here is what bounds it.
 * A timeout or a connection failure becomes StoreUnavailableError; any other error passes through as it is.
 */
export const bounded = async <T>(
  what: string,
  timeoutMs: number,
  call: (deadline: number) => Promise<T>,
): Promise<T> => {
  try {
    return await pTimeout(call(timeoutMs), {
      milliseconds: timeoutMs,
      message: new StoreUnavailableError(`KurrentDB did not answer ${what} within ${timeoutMs} ms`),
    });
  } catch (error) {
    if (isUnreachable(error)) {
      throw new StoreUnavailableError(`KurrentDB cannot be reached (${what}): ${(error as Error).message}`, {
        cause: error,
      });
    }
    throw error;
  }
};
