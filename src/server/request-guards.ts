import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { KeyRing } from '../auth/api-keys.js';
import { checkRate, retryAfterSeconds, type RateLimitSettings } from './rate-limit/rate-limits.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';

/** A GraphQL-shaped refusal for what is turned away before GraphQL sees the request. */
const refusal = (message: string, extensions: Record<string, unknown>) => ({ errors: [{ message, extensions }] });

/** Answers 429 with Retry-After when the key (or the address, without one) has spent its budget. */
export const rateLimitGuard =
  (keys: KeyRing, limiter: RateLimiter, settings: RateLimitSettings): RequestHandler =>
  (request, response, next) => {
    checkRate(limiter, settings, keys.identify(request.headers.authorization), request.ip).then(
      (decision) => {
        if (decision.allowed) return next();
        const seconds = retryAfterSeconds(decision);
        response
          .status(429)
          .set('Retry-After', String(seconds))
          .json(
            refusal(`too many requests; try again in ${seconds} s`, {
              code: 'RATE_LIMITED',
              retryAfterSeconds: seconds,
            }),
          );
      },
      (error: unknown) => next(error),
    );
  };

/**
 * Answers 503 when an operation has not finished in time. JavaScript cannot stop the work already under way, which
 * ends in the background; a mutation among it may still be recorded, which an idempotent retry (the same id) shows.
 */
export const timeoutGuard =
  (timeoutMs: number): RequestHandler =>
  (_request, response, next) => {
    const timer = setTimeout(() => {
      if (response.headersSent) return;
      response
        .status(503)
        .json(
          refusal(
            `the operation did not finish within ${timeoutMs} ms; a mutation may still have been recorded: ` +
              'send it again with the same id to find out',
            { code: 'OPERATION_TIMEOUT', timeoutMs },
          ),
        );
    }, timeoutMs);
    response.once('close', () => clearTimeout(timer));
    response.once('finish', () => clearTimeout(timer));
    next();
  };

/** The body parser's refusals (too large, not JSON) as GraphQL-shaped errors rather than express's HTML page. */
export const bodyErrors =
  (maxBodyBytes: number): ErrorRequestHandler =>
  (error: { type?: string; status?: number; message?: string }, _request, response, next) => {
    if (error.type === 'entity.too.large') {
      response
        .status(413)
        .json(
          refusal(`the request body is larger than ${maxBodyBytes} bytes`, { code: 'QUERY_TOO_COMPLEX', maxBodyBytes }),
        );
      return;
    }
    if (error.type === 'entity.parse.failed') {
      response.status(400).json(refusal(`the request body is not JSON: ${error.message}`, { code: 'BAD_REQUEST' }));
      return;
    }
    next(error);
  };
