import { print, type DocumentNode } from 'graphql';
import { withViewIds } from '../../src/client/with-view-ids.js';
import { graphql } from '../support/graphql-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import {
  correctDevelopment,
  developmentInput,
  pause,
  recordDevelopment,
  retractDevelopment,
} from '../support/live-fixtures.js';

/**
 * One story the client-cache tests tell every client (docs/api.md, "Client caches"): the seed's Vladimir Putin and a
 * development about him, asked at several time points and now; then a change that the subscriptions bring, after
 * which the live entries must have moved and every past one must still be what the server answered for its point.
 */

export const ACTOR_ID = 'vladimir-putin';
const DEVELOPMENT_ID = 'client-cache-putin-statement';

/** The fields each view is compared on: nested actors and developments inherit the time point. */
const DEVELOPMENT_VIEW = `
  fragment DevelopmentView on Development {
    id
    title
    status
    revision
    participants { role actor { id developmentCount } }
  }
`;
const ACTOR_VIEW = `
  fragment ActorView on Actor {
    id
    name
    developmentCount
    lastActiveAt
    relations { developmentCount other { id name developmentCount } }
    developments(first: 3) { totalCount edges { cursor node { ...DevelopmentView } } }
  }
  ${DEVELOPMENT_VIEW}
`;

export const ACTOR_QUERY = `
  query Actor($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
    actor(id: $id, asOf: $asOf, knownAt: $knownAt) { ...ActorView }
  }
  ${ACTOR_VIEW}
`;

const DEVELOPMENT_QUERY = `
  query Development($id: ID!, $knownAt: DateTime) {
    development(id: $id, knownAt: $knownAt) { ...DevelopmentView }
  }
  ${DEVELOPMENT_VIEW}
`;

export const ACTOR_CHANGED = `
  subscription ActorChanged($id: ID!) { actorChanged(id: $id) { ...ActorView } }
  ${ACTOR_VIEW}
`;

export const TIMELINE_CHANGES = `
  subscription TimelineChanges { timelineChanges { cursor change development { ...DevelopmentView } } }
  ${DEVELOPMENT_VIEW}
`;

interface Question {
  readonly name: string;
  readonly query: string;
  readonly variables: Record<string, string>;
  /** The live view: the subscription's change must reach it. */
  readonly live: boolean;
}

export interface Story {
  readonly server: InProcessServer;
  readonly questions: readonly Question[];
  /** The change the subscriptions bring: the development retracted, which also takes it from the actor's count. */
  change(): Promise<void>;
}

const iso = (date: Date) => date.toISOString();

/**
 * A seeded server, and a development about Putin recorded (REPORTED, revision 0) then corrected (revision 1), with
 * the instants between: the questions ask the actor and the development at each, and now.
 */
export const tellStory = async (): Promise<Story> => {
  const server = await startInProcessServer({ TIMELINE_SEED: 'true' });
  const beforeRecording = new Date();
  await pause(5);
  const input = developmentInput(DEVELOPMENT_ID, {
    actors: [ACTOR_ID, 'donald-trump'],
    topics: ['peace-talks'],
    title: 'Putin says a summit needs preparation',
    occurredAt: '2025-10-20T00:00:00.000Z',
  });
  const recorded = await recordDevelopment(server.url, input);
  await pause(5);
  const reported = new Date();
  await pause(5);
  const corrected = await correctDevelopment(server.url, DEVELOPMENT_ID, recorded.revision, {
    title: 'Putin says a Budapest summit needs careful preparation',
  });
  await pause(5);
  const correctedAt = new Date();
  const actor = (name: string, variables: Record<string, string>, live = false): Question => ({
    name,
    query: ACTOR_QUERY,
    variables: { id: ACTOR_ID, ...variables },
    live,
  });
  const development = (name: string, variables: Record<string, string>, live = false): Question => ({
    name,
    query: DEVELOPMENT_QUERY,
    variables: { id: DEVELOPMENT_ID, ...variables },
    live,
  });
  return {
    server,
    questions: [
      actor('actor now', {}, true),
      actor('actor as of 2 October 2025', { asOf: '2025-10-02T00:00:00Z' }),
      actor('actor as of 25 October 2025, known when reported', {
        asOf: '2025-10-25T00:00:00Z',
        knownAt: iso(reported),
      }),
      actor('actor now, known before the recording', { knownAt: iso(beforeRecording) }),
      development('development now', {}, true),
      development('development known when reported', { knownAt: iso(reported) }),
      development('development known when corrected', { knownAt: iso(correctedAt) }),
    ],
    change: async () => {
      await retractDevelopment(server.url, DEVELOPMENT_ID, corrected.revision);
    },
  };
};

/**
 * What the server answers for a question, over plain HTTP with the document the client sends (viewId beside every
 * id), asked after the change too: a past view's answer must not have moved, a live one must have.
 */
export const serverAnswer = async (url: string, document: DocumentNode, variables: Record<string, string>) => {
  const response = await graphql(url, print(withViewIds(document)), variables);
  if (response.errors || !response.data) throw new Error(`the server refused: ${JSON.stringify(response.errors)}`);
  return response.data;
};

/** A cache's read without the __typename fields the clients add to what they send. */
export const withoutTypenames = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutTypenames);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '__typename')
      .map(([key, field]) => [key, withoutTypenames(field)]),
  );
};
