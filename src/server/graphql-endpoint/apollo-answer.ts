import { HeaderMap, type ApolloServer, type HTTPGraphQLRequest } from '@apollo/server';
import etag from 'etag';
import fresh from 'fresh';
import type { GraphQLContext } from '../../graphql/context.js';
import vary from 'vary';
import { sendBody } from './answer-body.js';
import { searchOf, type Exchange } from './exchange.js';

/**
 * Error codes of a GraphQL-shaped JSON answer. Apollo writes `errors` first in every answer that has them, so only
 * those are parsed: a large answer without errors costs nothing here.
 */
const errorCodesIn = (body: string): unknown[] => {
  if (!body.startsWith('{"errors":')) return [];
  try {
    const { errors } = JSON.parse(body) as { errors?: unknown };
    if (!Array.isArray(errors)) return [];
    return errors.map((error) => (error as { extensions?: { code?: unknown } } | null)?.extensions?.code);
  } catch {
    return [];
  }
};

const requestOf = (exchange: Exchange): HTTPGraphQLRequest => {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(exchange.request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return {
    method: (exchange.request.method ?? 'GET').toUpperCase(),
    headers,
    search: searchOf(exchange.request),
    body: exchange.body,
  };
};

/**
 * A GET answer carries a weak ETag of its body, and a client that already holds it gets 304 without it: a query
 * about now is revalidated that way (cache-policy.ts). A POST is never revalidated by a cache: no ETag to hash.
 */
const revalidated = (exchange: Exchange, status: number, body: string): boolean => {
  const { request, response } = exchange;
  if (request.method !== 'GET' || status !== 200) return false;
  response.setHeader('ETag', etag(body, { weak: true }));
  if (!fresh(request.headers, { etag: response.getHeader('etag'), 'last-modified': undefined })) return false;
  response.statusCode = 304;
  // What the 200 would have varied with (RFC 9110, 15.4.5).
  vary(response, 'Accept-Encoding');
  for (const header of ['Content-Type', 'Content-Length', 'Transfer-Encoding']) response.removeHeader(header);
  response.end();
  return true;
};

/**
 * Hands the request to Apollo Server (parsing, validation, the plugins' gates, execution) and writes its answer: an
 * integration of our own on node:http, as Apollo's own ones for express or lambda are, without a router around it.
 */
export const answerWithApollo = async (
  apollo: ApolloServer<GraphQLContext>,
  exchange: Exchange,
  context: () => Promise<GraphQLContext>,
): Promise<void> => {
  const answer = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: requestOf(exchange), context });
  const { response } = exchange;
  if (response.headersSent || response.writableEnded) return;
  for (const [name, value] of answer.headers) response.setHeader(name, value);
  response.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    const text = answer.body.string;
    exchange.errorCodes.push(...errorCodesIn(text));
    if (revalidated(exchange, response.statusCode, text)) return;
    await sendBody(exchange, text);
    return;
  }
  // Incremental delivery (@defer, which graphql 16 does not run): each part as it comes, uncompressed.
  for await (const chunk of answer.body.asyncIterator) response.write(chunk);
  response.end();
};
