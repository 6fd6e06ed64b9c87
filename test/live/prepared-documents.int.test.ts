import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, valueOf } from '../observability/prometheus-text.js';
import { READER_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { developmentInput, errorCodes, openTopic, recordDevelopment, registerActor } from '../support/live-fixtures.js';
import { openRawGraphQLWs, type RawGraphQLWs, type RawMessage } from '../support/raw-graphql-ws.js';

/**
 * Over a real server and real sockets: a document subscribed to again is not prepared again (the metric says so),
 * and every gate that depends on the message (the key, the variables' cost, the rate limit) still decides each one.
 */

const LIMITED_KEY = 'prepared-limited-reader-key-0001';
const SUBSCRIPTION_BUDGET = 10;
let server: InProcessServer;
const raws: RawGraphQLWs[] = [];

const raw = async (key?: string): Promise<RawGraphQLWs> => {
  const made = await openRawGraphQLWs(server.url, key ? { authorization: `Bearer ${key}` } : {});
  raws.push(made);
  return made;
};

const preparedSoFar = async (): Promise<number> => {
  const response = await fetch(`${new URL(server.url).origin}/metrics`);
  return valueOf(parsePrometheusText(await response.text()), 'timeline_subscription_documents_prepared_total');
};

/** Subscribes and waits for the first message of that id: `next` when it runs, `error` when a gate refused it. */
const firstAnswer = async (
  socket: RawGraphQLWs,
  id: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<RawMessage> => {
  socket.subscribe(id, query, variables);
  await socket.until((messages) => messages.some((message) => message.id === id));
  return socket.messages.find((message) => message.id === id)!;
};

const codesOf = (message: RawMessage): unknown[] =>
  message.type === 'error' ? errorCodes(message.payload as unknown[]) : [];

const REPLAY = 'subscription Replay { timelineChanges(since: "2000-01-01T00:00:00Z") { cursor development { id } } }';
const COSTLY = `subscription Costly($first: Int) {
  timelineChanges(since: "2000-01-01T00:00:00Z") {
    development { participants { actor { developments(first: $first) { totalCount } } } }
  }
}`;

beforeAll(async () => {
  server = await startInProcessServer({
    TIMELINE_READER_KEYS: `readers:${READER_KEY},limited:${LIMITED_KEY}`,
    TIMELINE_SUBSCRIPTION_RATE_LIMIT: String(SUBSCRIPTION_BUDGET),
  });
  await registerActor(server.url, 'pd-alice');
  await openTopic(server.url, 'pd-topic');
  await recordDevelopment(server.url, developmentInput('pd-dev-0', { actors: ['pd-alice'], topics: ['pd-topic'] }));
});

afterEach(async () => {
  await Promise.all(raws.splice(0).map((made) => made.close()));
});

afterAll(async () => {
  await server?.close();
});

describe('documents subscribed to over graphql-ws', () => {
  it('are prepared once for any number of subscriptions, on one socket or several', async () => {
    const before = await preparedSoFar();
    const [one, other] = [await raw(READER_KEY), await raw(READER_KEY)];
    for (const [socket, id] of [
      [one, 'first'],
      [one, 'second'],
      [other, 'third'],
    ] as const) {
      const answer = await firstAnswer(socket, id, REPLAY);
      expect(answer.type, JSON.stringify(answer.payload)).toBe('next');
    }
    expect((await preparedSoFar()) - before).toBe(1);
  });

  it('still refuse a missing or unknown key on a document already prepared, with UNAUTHENTICATED', async () => {
    expect((await firstAnswer(await raw(READER_KEY), 'served', REPLAY)).type).toBe('next');
    const before = await preparedSoFar();
    expect(codesOf(await firstAnswer(await raw(), 'no-key', REPLAY))).toEqual(['UNAUTHENTICATED']);
    const unknown = await raw('not-a-key-this-server-knows-0123');
    expect(codesOf(await firstAnswer(unknown, 'unknown-key', REPLAY))).toEqual(['UNAUTHENTICATED']);
    // The reader's next subscription is served as before: the refusals were the keys', not the document's.
    expect((await firstAnswer(await raw(READER_KEY), 'served-again', REPLAY)).type).toBe('next');
    expect(await preparedSoFar()).toBe(before);
  });

  it('still weigh the variables of each message: an over-costly page size is refused, a small one served', async () => {
    const before = await preparedSoFar();
    const socket = await raw(READER_KEY);
    const small = await firstAnswer(socket, 'small', COSTLY, { first: 1 });
    expect(small.type, JSON.stringify(small.payload)).toBe('next');
    const costly = await firstAnswer(socket, 'costly', COSTLY, { first: 1_000_000 });
    expect(codesOf(costly)).toEqual(['QUERY_TOO_COMPLEX']);
    expect((costly.payload as { extensions: Record<string, unknown> }[])[0]!.extensions).toMatchObject({
      maxComplexity: 50_000,
    });
    expect((await firstAnswer(socket, 'small-again', COSTLY, { first: 1 })).type).toBe('next');
    expect((await preparedSoFar()) - before).toBe(1);
  });

  it('still refuse an unparsable document with GRAPHQL_PARSE_FAILED every time, parsing it once', async () => {
    const before = await preparedSoFar();
    const socket = await raw(READER_KEY);
    for (const id of ['broken', 'broken-again']) {
      expect(codesOf(await firstAnswer(socket, id, 'subscription { timelineChanges { cursor '))).toEqual([
        'GRAPHQL_PARSE_FAILED',
      ]);
    }
    expect((await preparedSoFar()) - before).toBe(1);
  });

  it('still spend the key’s budget of subscriptions with each message', async () => {
    const socket = await raw(LIMITED_KEY);
    const answers: RawMessage[] = [];
    for (let n = 0; n <= SUBSCRIPTION_BUDGET; n++) answers.push(await firstAnswer(socket, `limited-${n}`, REPLAY));
    expect(answers.slice(0, SUBSCRIPTION_BUDGET).map((answer) => answer.type)).toEqual(
      Array.from({ length: SUBSCRIPTION_BUDGET }, () => 'next'),
    );
    expect(codesOf(answers.at(-1)!)).toEqual(['RATE_LIMITED']);
  });
});
