import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../auth/api-keys.js';
import type { RequestScope } from '../../observability/request-log.js';

/**
 * One request to /graphql and what the steps that serve it have learnt so far: passed along, so that each thing is
 * worked out once per request (who sent it: one SHA-256 of the key) and the log line at the end has every fact.
 */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly scope: RequestScope;
  readonly correlationId: string;
  readonly principal: Principal;
  /** The parsed JSON body of a POST (body-parser), absent before it is read and for a GET. */
  body?: unknown;
  /** The error codes of the answer, for the log line and the rejection counter. */
  readonly errorCodes: unknown[];
}

/** The path of a request line's target, without its query (`/graphql?query=...` is /graphql). */
export const pathOf = (request: IncomingMessage): string => {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
};

/** The query string of a request line's target, with its `?`, or '' (what Apollo's HTTP request calls `search`). */
export const searchOf = (request: IncomingMessage): string => {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? '' : url.slice(query);
};
