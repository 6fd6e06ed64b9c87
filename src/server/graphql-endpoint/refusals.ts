import accepts from 'accepts';
import { sendBody } from './answer-body.js';
import type { Exchange } from './exchange.js';

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

/**
 * A GraphQL-shaped refusal for what is turned away before GraphQL sees the request, in the media type the client
 * accepts as Apollo's answers are (GraphQL over HTTP: application/graphql-response+json when asked for, else JSON),
 * never stored by a cache.
 */
export const refuse = (
  exchange: Exchange,
  status: number,
  message: string,
  extensions: Readonly<Record<string, unknown>>,
): void => {
  const { request, response } = exchange;
  const type =
    accepts(request).type(['application/json', GRAPHQL_RESPONSE]) === GRAPHQL_RESPONSE
      ? GRAPHQL_RESPONSE
      : 'application/json';
  const body = JSON.stringify({ errors: [{ message, extensions }] });
  exchange.errorCodes.push(extensions.code);
  response.statusCode = status;
  response.setHeader('Content-Type', `${type}; charset=utf-8`);
  response.setHeader('Cache-Control', 'no-store');
  void sendBody(exchange, body);
};
