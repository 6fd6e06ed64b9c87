import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Principal } from '../auth/api-keys.js';

/** The header a request's id comes in (when the client or a proxy chose one) and goes back out in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a client may choose as its request or correlation id: short, and made of characters that need no escaping
 * in a log line, a header or a query. Anything else is replaced rather than trusted.
 */
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const saneId = (value: string | undefined): string | undefined =>
  value !== undefined && SANE_ID.test(value) ? value : undefined;

/** The client's id when it sent a sane one (a proxy's, to follow one request through both logs), else a new one. */
export const requestIdFor = (header: string | undefined): string => saneId(header) ?? randomUUID();

/** Who asked, for a log line: the key's name, never the key. */
export const keyNameOf = (principal: Principal): string =>
  'keyName' in principal ? principal.keyName : principal.role;

/** One request as the code that serves it sees it. */
export interface RequestScope {
  readonly requestId: string;
  /** A child logger with the request's id bound: every line written through it carries `requestId`. */
  readonly logger: Logger;
  /** What GraphQL resolved the request to, once it has (set by the operation plugin). */
  operation?: { readonly type: string; readonly name: string | undefined };
}

// Code deep inside a request (Apollo's formatError, plugins) is called without the request; this carries it along
// the request's async calls instead of through every signature.
const scopes = new AsyncLocalStorage<RequestScope>();

/**
 * A request's scope whose child logger is made on first use: most requests log nothing but their last line, and a
 * pino child costs its bindings' serialisation.
 */
export const requestScope = (
  logger: Logger,
  ids: { readonly requestId: string; readonly correlationId?: string },
): RequestScope => {
  let child: Logger | undefined;
  return {
    requestId: ids.requestId,
    get logger() {
      return (child ??= logger.child(ids));
    },
  };
};

export const runInRequestScope = <T>(scope: RequestScope, work: () => T): T => scopes.run(scope, work);

export const currentRequestScope = (): RequestScope | undefined => scopes.getStore();

/** The current request's logger, or `fallback` outside a request (start-up, the projector, a scrape). */
export const requestLogger = (fallback: Logger): Logger => scopes.getStore()?.logger ?? fallback;
