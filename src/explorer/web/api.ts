import { createClient, type Client } from 'graphql-ws/client';

/** The API the page talks to: the server it came from, over fetch and graphql-ws. Nothing else is requested. */

export interface ActorRef {
  id: string;
  name: string;
}
export interface TopicRef {
  id: string;
  title: string;
}
export interface TimelineItem {
  id: string;
  kind: string;
  title: string;
  occurredAt: string;
  precision: string;
  tone: number | null;
  status: string;
  participants: { role: string; actor: ActorRef }[];
  topics: TopicRef[];
  meeting: { id: string } | null;
}
export interface MeetingState {
  id: string;
  title: string;
  status: string;
  location: string | null;
  scheduledFor: string | null;
  participants: ActorRef[];
  developments: { id: string; occurredAt: string }[];
}
export interface ActorState {
  id: string;
  name: string;
  kind: string;
  roles: { title: string; since: string }[];
  positions: { topic: TopicRef; stance: string; summary: string | null; since: string }[];
  relations: { other: ActorRef; developmentCount: number; tone: number | null }[];
  meetings: { id: string; title: string; status: string }[];
  developmentCount: number;
}
export interface TopicState {
  id: string;
  title: string;
  status: string;
  positions: { actor: ActorRef; stance: string; summary: string | null; since: string }[];
  meetings: { id: string; title: string; status: string }[];
  developmentCount: number;
}
export interface DevelopmentDetail extends TimelineItem {
  mode: string | null;
  summary: string | null;
  recordedAt: string;
  location: string | null;
  revision: number;
  quotes: { speaker: ActorRef | null; text: string }[];
  sources: { publisher: string; url: string | null; title: string | null; publishedAt: string | null }[];
  corrections: { reason: string; changedFields: string[]; recordedAt: string }[];
  verifications: {
    status: string;
    by: ActorRef | null;
    summary: string;
    source: { publisher: string; url: string | null } | null;
    recordedAt: string;
  }[];
  positions: { actor: ActorRef; topic: TopicRef; stance: string; summary: string | null }[];
  meetingDetail: { id: string; title: string; status: string } | null;
}

export interface TimelineFilter {
  actorIds?: string[];
  topicIds?: string[];
  kinds?: string[];
  from?: string;
  to?: string;
  includeRetracted?: boolean;
}

const ENDPOINT = '/graphql';

/**
 * The API key, for a server with reader keys (TIMELINE_READER_KEYS). Kept in sessionStorage only: for this tab, gone
 * when it closes; never in localStorage, the URL or a log.
 */
const KEY_ITEM = 'timeline-explorer.api-key';

export const apiKey = (): string | null => {
  try {
    return sessionStorage.getItem(KEY_ITEM) || null;
  } catch {
    return null; // storage refused (a privacy setting): the page runs without a key
  }
};

/** Keeps the key for this tab, or forgets it when empty. */
export const setApiKey = (key: string): void => {
  try {
    if (key) sessionStorage.setItem(KEY_ITEM, key);
    else sessionStorage.removeItem(KEY_ITEM);
  } catch {
    // Storage refused: nothing kept.
  }
};

const authorizationOf = (key: string | null): string | null => (key ? `Bearer ${key}` : null);

class ApiError extends Error {}

/** The API refused to read: no key was sent (`missing`) or the one sent is not one it knows (`invalid`). */
export class KeyError extends ApiError {
  constructor(readonly reason: 'missing' | 'invalid') {
    super(reason === 'missing' ? 'This server needs an API key to read' : 'The API key is not valid');
  }
}

type GraphQLErrors = readonly { message?: string; extensions?: { code?: unknown } }[];

const unauthenticated = (errors: GraphQLErrors | undefined): boolean =>
  errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED') ?? false;

const graphql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
  const key = apiKey();
  const authorization = authorizationOf(key);
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => ({}))) as { data?: T; errors?: GraphQLErrors };
  if (response.status === 401 || unauthenticated(body.errors)) throw new KeyError(key ? 'invalid' : 'missing');
  if (body.errors?.length) throw new ApiError(body.errors.map((error) => error.message).join('; '));
  if (!response.ok || body.data === undefined) throw new ApiError(`the API answered ${response.status}`);
  return body.data;
};

const ITEM_FIELDS = `id kind title occurredAt precision tone status
  participants { role actor { id name } } topics { id title } meeting { id }`;

const PAGE_SIZE = 300;

export const fetchTimeline = (filter: TimelineFilter, knownAt: string | null) =>
  graphql<{ timeline: { totalCount: number; edges: { node: TimelineItem }[] } }>(
    `query ExplorerTimeline($filter: TimelineFilter, $knownAt: DateTime) {
      timeline(filter: $filter, knownAt: $knownAt, order: ASC, first: ${PAGE_SIZE}) {
        totalCount edges { node { ${ITEM_FIELDS} } } } }`,
    { filter, knownAt },
  ).then((data) => ({ total: data.timeline.totalCount, items: data.timeline.edges.map((edge) => edge.node) }));

export const fetchChoices = () =>
  graphql<{ actors: { edges: { node: ActorRef }[] }; topics: { edges: { node: TopicRef }[] } }>(`
    query ExplorerChoices {
      actors(first: 500) {
        edges {
          node {
            id
            name
          }
        }
      }
      topics(first: 500) {
        edges {
          node {
            id
            title
          }
        }
      }
    }
  `).then((data) => ({
    actors: data.actors.edges.map((edge) => edge.node),
    topics: data.topics.edges.map((edge) => edge.node),
  }));

export const fetchMeetings = (asOf: string | null, knownAt: string | null) =>
  graphql<{ meetings: { edges: { node: MeetingState }[] } }>(
    `
      query ExplorerMeetings($asOf: DateTime, $knownAt: DateTime) {
        meetings(asOf: $asOf, knownAt: $knownAt, first: 100) {
          edges {
            node {
              id
              title
              status
              location
              scheduledFor
              participants {
                id
                name
              }
              developments {
                id
                occurredAt
              }
            }
          }
        }
      }
    `,
    { asOf, knownAt },
  ).then((data) => data.meetings.edges.map((edge) => edge.node));

/** Each meeting's status at the end of each day a development named it: its life as segments. */
export const fetchMeetingHistory = async (
  points: { meetingId: string; asOf: string }[],
  knownAt: string | null,
): Promise<(string | null)[]> => {
  if (points.length === 0) return [];
  const fields = points
    .map(
      (point, index) =>
        `m${index}: meeting(id: ${JSON.stringify(point.meetingId)}, asOf: ${JSON.stringify(point.asOf)}, knownAt: $knownAt) { status }`,
    )
    .join('\n');
  const data = await graphql<Record<string, { status: string } | null>>(
    `query ExplorerMeetingHistory($knownAt: DateTime) { ${fields} }`,
    { knownAt },
  );
  return points.map((_, index) => data[`m${index}`]?.status ?? null);
};

export const fetchActorState = (id: string, asOf: string | null, knownAt: string | null) =>
  graphql<{ actor: ActorState | null }>(
    `
      query ExplorerActor($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
        actor(id: $id, asOf: $asOf, knownAt: $knownAt) {
          id
          name
          kind
          developmentCount
          roles {
            title
            since
          }
          positions {
            topic {
              id
              title
            }
            stance
            summary
            since
          }
          relations {
            other {
              id
              name
            }
            developmentCount
            tone
          }
          meetings {
            id
            title
            status
          }
        }
      }
    `,
    { id, asOf, knownAt },
  ).then((data) => data.actor);

export const fetchTopicState = (id: string, asOf: string | null, knownAt: string | null) =>
  graphql<{ topic: TopicState | null }>(
    `
      query ExplorerTopic($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
        topic(id: $id, asOf: $asOf, knownAt: $knownAt) {
          id
          title
          status
          developmentCount
          positions {
            actor {
              id
              name
            }
            stance
            summary
            since
          }
          meetings {
            id
            title
            status
          }
        }
      }
    `,
    { id, asOf, knownAt },
  ).then((data) => data.topic);

export const fetchDevelopment = (id: string, knownAt: string | null) =>
  graphql<{
    development: (Omit<DevelopmentDetail, 'meetingDetail'> & { meeting: DevelopmentDetail['meetingDetail'] }) | null;
  }>(
    `query ExplorerDevelopment($id: ID!, $knownAt: DateTime) {
      development(id: $id, knownAt: $knownAt) {
        ${ITEM_FIELDS} mode summary recordedAt location revision
        quotes { speaker { id name } text }
        sources { publisher url title publishedAt }
        corrections { reason changedFields recordedAt }
        verifications { status by { id name } summary source { publisher url } recordedAt }
        positions { actor { id name } topic { id title } stance summary }
        meeting { id title status } } }`,
    { id, knownAt },
  ).then((data) => (data.development ? { ...data.development, meetingDetail: data.development.meeting } : null));

export type LiveStatus = 'live' | 'connecting' | 'offline' | 'refused';

/**
 * timelineChanges, live only: `onChange` for every recorded, corrected, verified or retracted development. The key
 * goes in connection_init as `authorization`, where the server looks for it; a new key needs a new client (close
 * this one). A refusal for the key is `onRefused`, and the badge says `refused`: the subscription is over.
 */
export const subscribeToChanges = (
  key: string | null,
  onChange: (change: { change: string; development: { id: string; title: string } }) => void,
  onStatus: (status: LiveStatus) => void,
  onRefused: (error: KeyError) => void,
): { close(): void } => {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${ENDPOINT}`;
  const authorization = authorizationOf(key);
  // Once closed, this client's late events (its socket closing) must not touch the page: a newer one owns it.
  let closed = false;
  const status = (value: LiveStatus) => {
    if (!closed) onStatus(value);
  };
  const close = () => {
    closed = true;
    void client.dispose();
  };
  const client: Client = createClient({
    url,
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    connectionParams: authorization ? { authorization } : {},
    on: {
      connecting: () => status('connecting'),
      connected: () => status('live'),
      closed: () => status('offline'),
    },
  });
  client.subscribe<{ timelineChanges: { change: string; development: { id: string; title: string } } }>(
    { query: 'subscription ExplorerChanges { timelineChanges { cursor change development { id title } } }' },
    {
      next: (result) => {
        if (!closed && result.data) onChange(result.data.timelineChanges);
      },
      error: (error) => {
        if (closed) return;
        if (Array.isArray(error) && unauthenticated(error as GraphQLErrors)) {
          // Nothing more to wait for on this socket: a new key makes a new client.
          onStatus('refused');
          close();
          onRefused(new KeyError(key ? 'invalid' : 'missing'));
        } else status('offline');
      },
      complete: () => status('offline'),
    },
  );
  return { close };
};
