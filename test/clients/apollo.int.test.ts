import { createHash } from 'node:crypto';
import { ApolloClient, ApolloLink, DocumentTransform, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { typePolicies } from '../../src/client/cache-keys.js';
import { withViewIds } from '../../src/client/with-view-ids.js';
import { waitUntil } from '../support/live-fixtures.js';
import { watchLiveListeners, type ListenerWatch } from '../support/live-listeners.js';
import {
  ACTOR_CHANGED,
  ACTOR_ID,
  ACTOR_QUERY,
  serverAnswer,
  tellStory,
  TIMELINE_CHANGES,
  withoutTypenames,
  type Story,
} from './scenario.js';

/**
 * Apollo Client 4 as an app in Node would set it up: InMemoryCache with the shipped typePolicies and withViewIds,
 * queries over HttpLink with automatic persisted queries sent by GET, subscriptions over GraphQLWsLink.
 */

let story: Story;
let listeners: ListenerWatch;

beforeAll(async () => {
  story = await tellStory();
  listeners = watchLiveListeners(story.server);
}, 60_000);
afterAll(async () => story.server.close());

interface Sent {
  readonly method: string;
  readonly hashOnly: boolean;
  readonly status: number;
}

const apollo = (keyed: boolean) => {
  const sent: Sent[] = [];
  // fetch as the app's, counted: which requests went by GET with a hash and no query text.
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    sent.push({
      method: init?.method ?? 'GET',
      hashOnly: url.searchParams.has('extensions') && !url.searchParams.has('query'),
      status: response.status,
    });
    return response;
  };
  const sockets = createClient({
    url: story.server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const persisted = new PersistedQueryLink({
    sha256: (text: string) => createHash('sha256').update(text).digest('hex'),
    useGETForHashedQueries: true,
  });
  const link = ApolloLink.split(
    ({ query }) => {
      const main = getMainDefinition(query);
      return main.kind === 'OperationDefinition' && main.operation === 'subscription';
    },
    new GraphQLWsLink(sockets),
    persisted.concat(new HttpLink({ uri: story.server.url, fetch: countingFetch })),
  );
  const client = new ApolloClient({
    link,
    cache: new InMemoryCache(keyed ? { typePolicies } : {}),
    ...(keyed ? { documentTransform: new DocumentTransform(withViewIds) } : {}),
  });
  return {
    client,
    sent,
    close: async () => {
      client.stop();
      await sockets.dispose();
    },
  };
};

describe('Apollo Client with the shipped keys', () => {
  it('keeps every time point apart, and the subscriptions move only the live views', async () => {
    const { client, sent, close } = apollo(true);
    try {
      const answered = new Map<string, unknown>();
      for (const question of story.questions) {
        const query = gql(question.query);
        await client.query({ query, variables: question.variables, fetchPolicy: 'network-only' });
        answered.set(question.name, await serverAnswer(story.server.url, query, question.variables));
      }
      // Every view read back from the cache is what the server answered for its time point, whatever came after.
      for (const question of story.questions) {
        const read = client.readQuery({ query: gql(question.query), variables: question.variables });
        expect(withoutTypenames(read), question.name).toEqual(answered.get(question.name));
      }

      const ticks = { actor: 0, development: 0 };
      const mark = listeners.attachments();
      const subscriptions = [
        client
          .subscribe({ query: gql(ACTOR_CHANGED), variables: { id: ACTOR_ID } })
          .subscribe({ next: () => ticks.actor++ }),
        client.subscribe({ query: gql(TIMELINE_CHANGES) }).subscribe({ next: () => ticks.development++ }),
      ];
      await listeners.attachedSince(mark, 2);
      await story.change();
      await waitUntil(() => ticks.actor > 0 && ticks.development > 0, 'both subscriptions to tick');
      for (const subscription of subscriptions) subscription.unsubscribe();

      for (const question of story.questions) {
        const query = gql(question.query);
        const now = await serverAnswer(story.server.url, query, question.variables);
        const read = withoutTypenames(client.readQuery({ query, variables: question.variables }));
        // No query ran again: the live views were moved by the subscriptions alone, the others by nothing.
        expect(read, question.name).toEqual(now);
        if (question.live) expect(now, question.name).not.toEqual(answered.get(question.name));
        else expect(now, question.name).toEqual(answered.get(question.name));
      }

      // The queries went by GET with their hash alone once the server had their text (automatic persisted queries).
      await client.query({ query: gql(ACTOR_QUERY), variables: { id: ACTOR_ID }, fetchPolicy: 'network-only' });
      expect(sent.at(-1)).toEqual({ method: 'GET', hashOnly: true, status: 200 });
    } finally {
      await close();
    }
  });

  it("without them, Apollo's default key (the id) hands an earlier time point the entry of a later one", async () => {
    const { client, close } = apollo(false);
    try {
      const query = gql(ACTOR_QUERY);
      const october = { id: ACTOR_ID, asOf: '2025-10-02T00:00:00Z' };
      const asked = await serverAnswer(story.server.url, query, october);
      await client.query({ query, variables: october, fetchPolicy: 'network-only' });
      await client.query({ query, variables: { id: ACTOR_ID }, fetchPolicy: 'network-only' });
      const read = client.readQuery<{ actor: { developmentCount: number } }>({ query, variables: october });
      expect((asked as { actor: { developmentCount: number } }).actor.developmentCount).toBe(3);
      expect(read?.actor.developmentCount).not.toBe(3);
    } finally {
      await close();
    }
  });
});
