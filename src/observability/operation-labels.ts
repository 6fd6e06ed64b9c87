/**
 * Label values taken from requests. Every distinct label value is a time series Prometheus keeps, and these come
 * from clients, so each is bounded: a client choosing a fresh operation name per request must not grow the
 * server's memory, or the monitoring system's.
 */

/** A GraphQL name (the spec's Name) of at most 64 characters. */
const PLAIN_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/** Error codes are ours or Apollo's (UPPER_SNAKE_CASE); anything else is folded into one value. */
const PLAIN_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** How many distinct operation names one server labels before it calls every new one `other`. */
const MAX_OPERATION_NAMES = 200;

export type OperationNameLabel = (name: string | null | undefined) => string;

/** Operation names as labels: plain names as they are, up to `limit` of them; the rest `anonymous` or `other`. */
export const operationNameLabels = (limit = MAX_OPERATION_NAMES): OperationNameLabel => {
  const seen = new Set<string>();
  return (name) => {
    if (!name || !PLAIN_NAME.test(name)) return 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= limit) return 'other';
    seen.add(name);
    return name;
  };
};

const OPERATION_TYPES = ['query', 'mutation', 'subscription'] as const;

/** The operation's type, or `unknown` for a request refused before GraphQL read it (rate limit, body, parse). */
export const operationTypeLabel = (type: string | undefined): string =>
  type !== undefined && (OPERATION_TYPES as readonly string[]).includes(type) ? type : 'unknown';

export const errorCodeLabel = (code: unknown): string =>
  typeof code === 'string' && PLAIN_CODE.test(code) ? code : code === undefined ? 'NO_CODE' : 'OTHER';
