import type { Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { EDITOR_KEY, READER_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient } from '../support/live-client.js';
import {
  developmentInput,
  errorCodes,
  headCursor,
  openTopic,
  readLog,
  recordDevelopment,
  registerActor,
  waitUntil,
} from '../support/live-fixtures.js';
import { openRawGraphQLWs, type RawGraphQLWs, type RawMessage } from '../support/raw-graphql-ws.js';

let server: InProcessServer;
const clients: Client[] = [];
const raws: RawGraphQLWs[] = [];

const client = (key?: string): Client => {
  const made = wsClient(server.url, key);
  clients.push(made);
  return made;
};

const raw = async (key?: string): Promise<RawGraphQLWs> => {
  const made = await openRawGraphQLWs(server.url, key ? { authorization: `Bearer ${key}` } : {});
  raws.push(made);
  return made;
};

const SUBSCRIPTION =
  'subscription($after: String) { timelineChanges(after: $after) { cursor change development { id } } }';

const codesOf = (message: RawMessage | undefined): unknown[] =>
  Array.isArray(message?.payload) ? errorCodes(message.payload as unknown[]) : [];

/** The leaf each field of the nesting below can end on. */
const LEAF: Record<string, string> = {
  development: 'id',
  participants: 'role',
  actor: 'id',
  developments: 'totalCount',
  edges: 'cursor',
  node: 'id',
};

/**
 * A selection for timelineChanges that makes the operation `depth` levels deep: timelineChanges, development, then
 * participants → actor → developments → edges → node over and over, and a scalar leaf.
 */
const nested = (depth: number): string => {
  const cycle = ['participants', 'actor', 'developments', 'edges', 'node'];
  const path = ['development'];
  while (path.length < depth - 2) path.push(cycle[(path.length - 1) % cycle.length]!);
  let selection = LEAF[path.at(-1)!]!;
  // Pages of one: this is about depth, and pages of the default 50 nested twice cost more than the limit allows.
  for (const field of [...path].reverse()) {
    selection = `${field === 'developments' ? 'developments(first: 1)' : field} { ${selection} }`;
  }
  return selection;
};

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_READER_KEYS: `readers:${READER_KEY}` });
  await registerActor(server.url, 'gt-alice');
  await openTopic(server.url, 'gt-topic');
  await recordDevelopment(server.url, developmentInput('gt-dev-0', { actors: ['gt-alice'], topics: ['gt-topic'] }));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((made) => made.dispose()));
  await Promise.all(raws.splice(0).map((made) => made.close()));
});

afterAll(async () => {
  await server?.close();
});

describe('who may subscribe, when readers need a key', () => {
  it('refuses a subscription without a key with UNAUTHENTICATED, as an error message', async () => {
    const feed = collect(client(), SUBSCRIPTION);
    await waitUntil(() => feed.errors.length > 0, 'the refusal');
    // graphql-ws hands an `error` message to the sink as the list of GraphQL errors; a close would be a CloseEvent.
    expect(Array.isArray(feed.errors[0]), `an error message, not a close: ${JSON.stringify(feed.errors[0])}`).toBe(
      true,
    );
    expect(errorCodes(feed.errors)).toEqual(['UNAUTHENTICATED']);
    expect(feed.items).toEqual([]);
  });

  it('keeps the socket open after the refusal: the next operation on it is answered too', async () => {
    const socket = await raw();
    socket.subscribe('first', SUBSCRIPTION);
    await socket.until((messages) => messages.some((message) => message.id === 'first'));
    socket.subscribe('second', '{ eventLog(first: 1) { edges { cursor } } }');
    await socket.until((messages) => messages.some((message) => message.id === 'second'));

    expect(socket.messages.map((message) => [message.id, message.type])).toEqual([
      ['first', 'error'],
      ['second', 'error'],
    ]);
    expect(codesOf(socket.messages[0])).toEqual(['UNAUTHENTICATED']);
    expect(codesOf(socket.messages[1])).toEqual(['UNAUTHENTICATED']);
    expect(socket.closed()).toBeNull();
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
  });

  it('refuses a key the server does not know with UNAUTHENTICATED', async () => {
    const feed = collect(client('not-a-key-this-server-knows-0123'), SUBSCRIPTION);
    await waitUntil(() => feed.errors.length > 0, 'the refusal');
    expect(Array.isArray(feed.errors[0])).toBe(true);
    expect(errorCodes(feed.errors)).toEqual(['UNAUTHENTICATED']);
  });

  it('serves a subscription with a reader key', async () => {
    const start = await headCursor(server.url, READER_KEY);
    const feed = collect<{ timelineChanges: { cursor: string; development: { id: string } } }>(
      client(READER_KEY),
      SUBSCRIPTION,
      { after: start },
    );
    await recordDevelopment(server.url, developmentInput('gt-dev-1', { actors: ['gt-alice'], topics: ['gt-topic'] }));
    await feed.until((items) => items.length === 1);
    expect(feed.items[0]!.timelineChanges.development.id).toBe('gt-dev-1');
    expect(feed.errors).toEqual([]);
  });
});

describe('mutations over the websocket', () => {
  const REGISTER = 'mutation($input: RegisterActorInput!) { registerActor(input: $input) { id } }';

  it('refuses a mutation with a reader key as FORBIDDEN and appends nothing', async () => {
    const before = await readLog(server.url, {}, READER_KEY);
    const socket = await raw(READER_KEY);
    socket.socket.send(
      JSON.stringify({
        id: 'write',
        type: 'subscribe',
        payload: { query: REGISTER, variables: { input: { id: 'gt-intruder', name: 'Intruder', kind: 'PERSON' } } },
      }),
    );
    await socket.until((messages) => messages.some((message) => message.id === 'write'));
    expect(socket.messages[0]!.type).toBe('error');
    expect(codesOf(socket.messages[0])).toEqual(['FORBIDDEN']);
    expect(socket.closed()).toBeNull();

    const after = await readLog(server.url, {}, READER_KEY);
    expect(after.length).toBe(before.length);
    const actor = await graphql(server.url, '{ actor(id: "gt-intruder") { id } }', {}, READER_KEY);
    expect(actor.data).toEqual({ actor: null });
  });

  it('runs the same mutation with an editor key (the refusal is about the key, not the transport)', async () => {
    const feed = collect<{ registerActor: { id: string } }>(client(EDITOR_KEY), REGISTER, {
      input: { id: 'gt-welcome', name: 'Welcome', kind: 'PERSON' },
    });
    await waitUntil(() => feed.completed, 'the mutation to complete');
    expect(feed.errors).toEqual([]);
    expect(feed.items).toEqual([{ registerActor: { id: 'gt-welcome' } }]);
  });
});

describe('operation limits on both transports', () => {
  const TOO_DEEP = `subscription { timelineChanges(since: "2000-01-01T00:00:00Z") { ${nested(13)} } }`;
  const AT_LIMIT = `subscription { timelineChanges(since: "2000-01-01T00:00:00Z") { ${nested(12)} } }`;

  it('refuses a subscription nested past depth 12 with QUERY_TOO_COMPLEX, keeping the socket', async () => {
    expect(TOO_DEEP).toContain('participants { actor { developments(first: 1) { edges { node { participants { actor {');
    const socket = await raw(READER_KEY);
    socket.subscribe('deep', TOO_DEEP);
    await socket.until((messages) => messages.some((message) => message.id === 'deep'));
    expect(socket.messages[0]!.type).toBe('error');
    expect(codesOf(socket.messages[0])).toEqual(['QUERY_TOO_COMPLEX']);
    expect((socket.messages[0]!.payload as { extensions: Record<string, unknown> }[])[0]!.extensions).toMatchObject({
      depth: 13,
      maxDepth: 12,
    });

    // The same socket then runs one at the limit.
    socket.subscribe('at-limit', AT_LIMIT);
    await socket.until((messages) => messages.some((message) => message.id === 'at-limit'));
    const answer = socket.messages.find((message) => message.id === 'at-limit')!;
    expect(answer.type, JSON.stringify(answer.payload)).toBe('next');
    expect(socket.closed()).toBeNull();
  });

  it('refuses a subscription that costs too much with QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: 3_001 }, (_, i) => `f${i}: cursor`).join(' ');
    const feed = collect(client(READER_KEY), `subscription { timelineChanges { ${aliases} } }`);
    await waitUntil(() => feed.errors.length > 0, 'the refusal');
    expect(Array.isArray(feed.errors[0])).toBe(true);
    expect(errorCodes(feed.errors)).toEqual(['QUERY_TOO_COMPLEX']);
  });

  it('refuses a query nested past depth 12 over HTTP with QUERY_TOO_COMPLEX', async () => {
    // timeline (1) edges (2) node (3) then the same cycle as the subscription: 14 levels in all.
    const query = `{ timeline { edges { node { participants { actor { developments { edges { node { participants {
      actor { developments { edges { node { id } } } } } } } } } } } } } }`;
    const response = await graphql(server.url, query, {}, READER_KEY);
    expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(response.data ?? null).toBeNull();
    expect(response.status).toBe(400);
  });
});
