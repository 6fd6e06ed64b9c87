import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { openRawGraphQLWs } from '../support/raw-graphql-ws.js';

/**
 * The HTTP around GraphQL on real servers: CORS for pages of other origins (and the same list for the WebSocket's
 * Origin), refusals made before Apollo in the media type the client accepts, the 401's challenge, and no stack
 * traces outside development.
 */

const servers: InProcessServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
const start = async (env: Record<string, string> = {}) => {
  const server = await startInProcessServer(env);
  servers.push(server);
  return server;
};

const ALLOWED = 'http://allowed.example:8080';
const OTHER = 'http://other.example:8080';
const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const QUERY = JSON.stringify({ query: '{ timeline(first: 1) { totalCount } }' });

const preflight = (url: string, origin: string) =>
  fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

const post = (url: string, headers: Record<string, string>, body = QUERY) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** How a WebSocket handshake with this Origin ends: open, or the HTTP status it was refused with. */
const handshake = (url: string, origin?: string): Promise<'open' | number> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', origin ? { origin } : {});
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });

describe('CORS', () => {
  it('answers the preflight of a configured origin with what it may send, and calls from it with its origin', async () => {
    const server = await start({ TIMELINE_CORS_ORIGINS: `${ALLOWED},https://second.example` });
    const answer = await preflight(server.url, ALLOWED);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(answer.headers.get('access-control-allow-headers')?.split(',')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight']),
    );
    // Keys are headers, never cookies: no credentials, ever.
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    const call = await post(server.url, { origin: ALLOWED });
    expect(call.status).toBe(200);
    expect(call.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(call.headers.get('access-control-expose-headers')).toContain('ratelimit');
    expect(call.headers.get('vary')).toContain('Origin');
  });

  it('gives any other origin no Access-Control-* header, so its browser refuses it the answer', async () => {
    const server = await start({ TIMELINE_CORS_ORIGINS: ALLOWED });
    const answer = await preflight(server.url, OTHER);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect((await post(server.url, { origin: OTHER })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows no other origin by default, and any with *', async () => {
    const closed = await start();
    expect((await preflight(closed.url, ALLOWED)).headers.get('access-control-allow-origin')).toBeNull();
    const open = await start({ TIMELINE_CORS_ORIGINS: '*' });
    const answer = await preflight(open.url, OTHER);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('lets the WebSocket be opened by the server’s own pages, configured origins and clients without Origin', async () => {
    const server = await start({ TIMELINE_CORS_ORIGINS: ALLOWED });
    const own = new URL(server.url).origin;
    expect(await handshake(server.url, ALLOWED)).toBe('open');
    expect(await handshake(server.url, own)).toBe('open');
    expect(await handshake(server.url)).toBe('open');
    expect(await handshake(server.url, OTHER)).toBe(403);
    const byDefault = await start();
    expect(await handshake(byDefault.url, ALLOWED)).toBe(403);
    expect(await handshake(byDefault.url, new URL(byDefault.url).origin)).toBe('open');
  });
});

describe('refusals before GraphQL', () => {
  it('answer 413 PAYLOAD_TOO_LARGE, in the media type the client accepts', async () => {
    const server = await start({ TIMELINE_MAX_BODY_BYTES: '2048' });
    const big = JSON.stringify({ query: `{ timeline(first: 1) { totalCount } } # ${'x'.repeat(4096)}` });
    const modern = await post(server.url, { accept: `${GRAPHQL_RESPONSE}, application/json` }, big);
    expect(modern.status).toBe(413);
    expect(modern.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    expect(modern.headers.get('cache-control')).toBe('no-store');
    expect(await modern.json()).toEqual({
      errors: [
        {
          message: 'the request body is larger than 2048 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 2048 },
        },
      ],
    });
    const legacy = await post(server.url, {}, big);
    expect(legacy.status).toBe(413);
    expect(legacy.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('answer a body that is not JSON 400 BAD_REQUEST, in the media type the client accepts', async () => {
    const server = await start();
    const answer = await post(server.url, { accept: GRAPHQL_RESPONSE }, '{"query": ');
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toBe(`${GRAPHQL_RESPONSE}; charset=utf-8`);
    const body = (await answer.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });
});

describe('the WebSocket', () => {
  it('closes a socket whose message is larger than TIMELINE_MAX_BODY_BYTES with 1009, and takes smaller ones', async () => {
    const server = await start({ TIMELINE_MAX_BODY_BYTES: '2048' });
    const client = await openRawGraphQLWs(server.url);
    client.subscribe('small', '{ timeline(first: 1) { totalCount } }');
    await client.until((messages) => messages.some((message) => message.type === 'complete'));
    client.subscribe('large', `{ timeline(first: 1) { totalCount } } # ${'x'.repeat(4_000)}`);
    await expect
      .poll(() => client.closed(), { timeout: 5_000 })
      .toEqual({ code: 1009, reason: expect.any(String) as string });
  });
});

describe('a 401', () => {
  it('names the Bearer scheme, and says when the key sent is not one', async () => {
    const server = await start({ TIMELINE_READER_KEYS: 'dash:reader-key-for-details-0001' });
    const none = await post(server.url, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="timeline"');
    const wrong = await post(server.url, { authorization: 'Bearer not-a-key-of-this-server' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer realm="timeline", error="invalid_token"');
    const good = await post(server.url, { authorization: 'Bearer reader-key-for-details-0001' });
    expect(good.status).toBe(200);
    expect(good.headers.get('www-authenticate')).toBeNull();
  });
});

describe("a client's mistakes Apollo finds", () => {
  const errorsOf = async (answer: Response) => ((await answer.json()) as { errors?: unknown[] }).errors;

  it('an operation name the document lacks is refused by name, never run as its only operation', async () => {
    const server = await start();
    const asked = JSON.stringify({ query: 'query Actors { actors(first: 1) { totalCount } }', operationName: 'Nope' });
    // The first time Apollo's executor runs it; after that the compiled one does (the same words both times).
    for (const _ of [1, 2, 3]) {
      const answer = await post(server.url, {}, asked);
      expect(await errorsOf(answer)).toEqual([expect.objectContaining({ message: 'Unknown operation named "Nope".' })]);
    }
  });

  it("a persisted query's hash that is not its text's: 400 BAD_REQUEST saying so", async () => {
    const server = await start();
    const body = JSON.stringify({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    });
    const answer = await post(server.url, {}, body);
    expect(answer.status).toBe(400);
    expect(await errorsOf(answer)).toEqual([
      { message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST' } },
    ]);
  });
});

describe('stack traces', () => {
  const invalid = JSON.stringify({ query: '{ nope }' });
  const stacktraceOf = async (server: InProcessServer) => {
    const body = (await (await post(server.url, {}, invalid)).json()) as {
      errors: { extensions: Record<string, unknown> }[];
    };
    return body.errors[0]!.extensions.stacktrace;
  };

  it('are never in an answer, unless NODE_ENV=development', async () => {
    expect(await stacktraceOf(await start({ NODE_ENV: 'production' }))).toBeUndefined();
    expect(await stacktraceOf(await start({ NODE_ENV: '' }))).toBeUndefined();
    expect(await stacktraceOf(await start({ NODE_ENV: 'development' }))).toEqual(
      expect.arrayContaining([expect.stringContaining('GraphQLError')]),
    );
  });
});
