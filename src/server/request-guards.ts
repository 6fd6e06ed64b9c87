import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { parse, type DocumentNode } from 'graphql';
import { checkBeforeValidation, type OperationLimits } from '../graphql/operation-limits.js';
import type { KeyRing } from '../auth/api-keys.js';
import { checkRate, rateLimitHeaders, retryAfterSeconds, type RateLimitSettings } from './rate-limit/rate-limits.js';
import type { RateLimiter } from './rate-limit/rate-limiter.js';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/**
 * A GraphQL-shaped refusal for what is turned away before GraphQL sees the request, in the media type the client
 * accepts as Apollo's answers are (GraphQL over HTTP: application/graphql-response+json when asked for, else JSON),
 * never stored by a cache.
 */
const refuse = (
  request: Request,
  response: Response,
  status: number,
  message: string,
  extensions: Record<string, unknown>,
): void => {
  const type = request.accepts(['application/json', GRAPHQL_RESPONSE]) === GRAPHQL_RESPONSE ? GRAPHQL_RESPONSE : 'json';
  response
    .status(status)
    .type(type)
    .set('Cache-Control', 'no-store')
    .send(JSON.stringify({ errors: [{ message, extensions }] }));
};

/**
 * Spends one request from the key's budget (or the address's, without one): the RateLimit headers say what is left
 * on every answer, and a spent budget is answered 429 with Retry-After.
 */
export const rateLimitGuard =
  (keys: KeyRing, limiter: RateLimiter, settings: RateLimitSettings): RequestHandler =>
  (request, response, next) => {
    checkRate(limiter, settings, keys.identify(request.headers.authorization), request.ip).then(
      (check) => {
        if (!check) return next();
        response.set(rateLimitHeaders(check));
        const { decision } = check;
        if (decision.allowed) return next();
        const seconds = retryAfterSeconds(decision);
        response.set('Retry-After', String(seconds));
        refuse(request, response, 429, `too many requests; try again in ${seconds} s`, {
          code: 'RATE_LIMITED',
          retryAfterSeconds: seconds,
        });
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
  (request, response, next) => {
    const timer = setTimeout(() => {
      if (response.headersSent) return;
      refuse(
        request,
        response,
        503,
        `the operation did not finish within ${timeoutMs} ms; a mutation may still have been recorded: ` +
          'send it again with the same id to find out',
        { code: 'OPERATION_TIMEOUT', timeoutMs },
      );
    }, timeoutMs);
    response.once('close', () => clearTimeout(timer));
    response.once('finish', () => clearTimeout(timer));
    next();
  };

/** The body parser's refusals (too large, not JSON) as GraphQL-shaped errors rather than express's HTML page. */
export const bodyErrors =
  (maxBodyBytes: number): ErrorRequestHandler =>
  (error: { type?: string; status?: number; message?: string }, request, response, next) => {
    if (error.type === 'entity.too.large') {
      refuse(request, response, 413, `the request body is larger than ${maxBodyBytes} bytes`, {
        code: 'PAYLOAD_TOO_LARGE',
        maxBodyBytes,
      });
      return;
    }
    if (error.type === 'entity.parse.failed') {
      refuse(request, response, 400, `the request body is not JSON: ${error.message}`, { code: 'BAD_REQUEST' });
      return;
    }
    next(error);
  };

/**
 * Refuses, on the parsed document alone, what would cost too much to validate (fields, aliases, depth), before
 * Apollo validates it: only documents long enough for that to matter are parsed here as well. A document that
 * does not parse goes on, for Apollo to report as it does.
 */
export const earlyLimitsGuard =
  (limits: OperationLimits): RequestHandler =>
  (request, response, next) => {
    const source = (request.method === 'GET' ? request.query : request.body) as
      { query?: unknown; operationName?: unknown } | undefined;
    if (typeof source?.query !== 'string') return next();
    // A field takes at least two characters: a shorter document cannot pass the field limit, and it validates
    // cheaply, so it is left to Apollo's one parse and the gate's checks after validation (aliases, depth included).
    if (source.query.length < 2 * limits.maxFields) return next();
    let document: DocumentNode;
    try {
      document = parse(source.query);
    } catch {
      return next();
    }
    const operationName = typeof source.operationName === 'string' ? source.operationName : undefined;
    const refused = checkBeforeValidation(document, operationName, limits);
    if (!refused) return next();
    const { http: _http, ...extensions } = refused.extensions as Record<string, unknown>;
    refuse(request, response, 400, refused.message, extensions);
  };
