import pTimeout from 'p-timeout';

/** The promise, or a rejection after `ms`: health checks and scrapes must answer even when what they ask does not. */
export const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  pTimeout(promise, { milliseconds: ms, message: `no answer within ${ms} ms` });
