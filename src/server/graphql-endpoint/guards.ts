import { parse, type DocumentNode } from 'graphql';
import { checkBeforeValidation, type OperationLimits } from '../../graphql/operation-limits.js';
import { checkRate, rateLimitHeaders, retryAfterSeconds, type RateLimitSettings } from '../rate-limit/rate-limits.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { searchOf, type Exchange } from './exchange.js';
import { refuse } from './refusals.js';

/** What a guard does with a request: lets it go on (true) or has answered it (false). */
export type Guard = (exchange: Exchange) => boolean | Promise<boolean>;

/**
 * Spends one request from the key's budget (or the address's, without one): the RateLimit headers say what is left
 * on every answer, and a spent budget is answered 429 with Retry-After.
 */
export const rateLimitGuard =
  (limiter: RateLimiter, settings: RateLimitSettings, addressOf: (exchange: Exchange) => string | undefined): Guard =>
  async (exchange) => {
    const check = await checkRate(limiter, settings, exchange.principal, addressOf(exchange));
    if (!check) return true;
    for (const [name, value] of Object.entries(rateLimitHeaders(check))) exchange.response.setHeader(name, value);
    const { decision } = check;
    if (decision.allowed) return true;
    const seconds = retryAfterSeconds(decision);
    exchange.response.setHeader('Retry-After', String(seconds));
    refuse(exchange, 429, `too many requests; try again in ${seconds} s`, {
      code: 'RATE_LIMITED',
      retryAfterSeconds: seconds,
    });
    return false;
  };

/**
 * Answers 503 when an operation has not finished in time. JavaScript cannot stop the work already under way, which
 * ends in the background; a mutation among it may still be recorded, which an idempotent retry (the same id) shows.
 */
export const timeoutGuard =
  (timeoutMs: number): Guard =>
  (exchange) => {
    const { response } = exchange;
    const timer = setTimeout(() => {
      if (response.headersSent) return;
      refuse(
        exchange,
        503,
        `the operation did not finish within ${timeoutMs} ms; a mutation may still have been recorded: ` +
          'send it again with the same id to find out',
        { code: 'OPERATION_TIMEOUT', timeoutMs },
      );
    }, timeoutMs);
    // Once the answer is out (or the client gone), whichever comes first.
    response.once('close', () => clearTimeout(timer));
    response.once('finish', () => clearTimeout(timer));
    return true;
  };

/** What the operation's text and name are, wherever the request carries them (a GET's query string, a POST's body). */
const sourceOf = (exchange: Exchange): { query?: unknown; operationName?: unknown } | undefined => {
  if (exchange.request.method !== 'GET') return exchange.body as { query?: unknown; operationName?: unknown };
  const search = new URLSearchParams(searchOf(exchange.request));
  return { query: search.get('query') ?? undefined, operationName: search.get('operationName') ?? undefined };
};

/**
 * Refuses, on the parsed document alone, what would cost too much to validate (fields, aliases, depth), before
 * Apollo validates it: only documents long enough for that to matter are parsed here as well. A document that
 * does not parse goes on, for Apollo to report as it does.
 */
export const earlyLimitsGuard =
  (limits: OperationLimits): Guard =>
  (exchange) => {
    const source = sourceOf(exchange);
    if (typeof source?.query !== 'string') return true;
    // A field takes at least two characters: a shorter document cannot pass the field limit, and it validates
    // cheaply, so it is left to Apollo's one parse and the gate's checks after validation (aliases, depth included).
    if (source.query.length < 2 * limits.maxFields) return true;
    let document: DocumentNode;
    try {
      document = parse(source.query);
    } catch {
      return true;
    }
    const operationName = typeof source.operationName === 'string' ? source.operationName : undefined;
    const refused = checkBeforeValidation(document, operationName, limits);
    if (!refused) return true;
    const { http: _http, ...extensions } = refused.extensions as Record<string, unknown>;
    refuse(exchange, 400, refused.message, extensions);
    return false;
  };
