import { Client, fetchExchange, gql, makeOperation, mapExchange, subscriptionExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { keys } from '../../src/client/cache-keys.js';
import { withViewIds } from '../../src/client/with-view-ids.js';
import { waitUntil } from '../support/live-fixtures.js';
import { watchLiveListeners, type ListenerWatch } from '../support/live-listeners.js';
import {
  ACTOR_CHANGED,
  ACTOR_ID,
  serverAnswer,
  tellStory,
  TIMELINE_CHANGES,
  withoutTypenames,
  type Story,
} from './scenario.js';

/**
 * urql as an app in Node would set it up: Graphcache with the shipped keys, withViewIds in an exchange before it,
 * queries over fetch, subscriptions through its subscription exchange over graphql-ws.
 */

let story: Story;
let listeners: ListenerWatch;

beforeAll(async () => {
  story = await tellStory();
  listeners = watchLiveListeners(story.server);
}, 60_000);
afterAll(async () => story.server.close());

const urql = () => {
  const sockets = createClient({
    url: story.server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const client = new Client({
    url: story.server.url,
    // urql 6 sends queries by GET unless told not to, with no header that Apollo's CSRF prevention takes as a
    // preflight: the server refuses them (docs/api.md, "Client caches").
    preferGetMethod: false,
    exchanges: [
      // The operation keeps its key: urql hands a result to whoever asked by that key.
      mapExchange({
        onOperation: (operation) =>
          makeOperation(
            operation.kind,
            { key: operation.key, query: withViewIds(operation.query), variables: operation.variables },
            operation.context,
          ),
      }),
      cacheExchange({ keys }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: sockets.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, close: () => sockets.dispose() };
};

describe('urql Graphcache with the shipped keys', () => {
  it('keeps every time point apart, and the subscriptions move only the live views', async () => {
    const { client, close } = urql();
    try {
      const answered = new Map<string, unknown>();
      for (const question of story.questions) {
        const query = gql(question.query);
        const result = await client.query(query, question.variables, { requestPolicy: 'network-only' }).toPromise();
        expect(result.error, question.name).toBeUndefined();
        answered.set(question.name, await serverAnswer(story.server.url, query, question.variables));
      }
      const cached = (query: string, variables: Record<string, string>) =>
        withoutTypenames(client.readQuery(gql(query), variables, { requestPolicy: 'cache-only' })?.data);
      for (const question of story.questions) {
        expect(cached(question.query, question.variables), question.name).toEqual(answered.get(question.name));
      }

      const ticks = { actor: 0, development: 0 };
      const mark = listeners.attachments();
      const subscriptions = [
        client.subscription(gql(ACTOR_CHANGED), { id: ACTOR_ID }).subscribe(() => ticks.actor++),
        client.subscription(gql(TIMELINE_CHANGES), {}).subscribe(() => ticks.development++),
      ];
      await listeners.attachedSince(mark, 2);
      await story.change();
      await waitUntil(() => ticks.actor > 0 && ticks.development > 0, 'both subscriptions to tick');
      for (const subscription of subscriptions) subscription.unsubscribe();

      for (const question of story.questions) {
        const now = await serverAnswer(story.server.url, gql(question.query), question.variables);
        // No query ran again: the live views were moved by the subscriptions alone, the others by nothing.
        expect(cached(question.query, question.variables), question.name).toEqual(now);
        if (question.live) expect(now, question.name).not.toEqual(answered.get(question.name));
        else expect(now, question.name).toEqual(answered.get(question.name));
      }
    } finally {
      await close();
    }
  });
});
