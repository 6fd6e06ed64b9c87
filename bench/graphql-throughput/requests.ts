/**
 * What the throughput bench sends: the four queries of issue #18, asked of the server and of the bare baseline alike,
 * and one refused request per guard, asked of the server only (the baseline has no guards to refuse with).
 */

const ACTOR_FIELDS = `id
    roles { title }
    positions { stance topic { id } }
    relations { other { id } developmentCount tone }
    developmentCount
    lastActiveAt`;

/** The seed's busiest actor: the most positions and relations to carry. */
const ACTOR = 'donald-trump';

export interface Query {
  readonly name: string;
  readonly body: string;
  /**
   * The #18 goal for its ratio to the baseline's req/s; null where #18 sets none (`{ __typename }` shows the fixed
   * cost of a request: the guards, the log line, the metrics, which the baseline does not have).
   */
  readonly goal: number | null;
}

const body = (query: string, variables?: Record<string, unknown>): string =>
  JSON.stringify(variables ? { query, variables } : { query });

export const QUERIES: readonly Query[] = [
  { name: '{ __typename }', body: body('{ __typename }'), goal: null },
  {
    name: 'an actor with positions and relations',
    body: body(`query Actor($id: ID!) {\n  actor(id: $id) {\n    ${ACTOR_FIELDS}\n  }\n}`, { id: ACTOR }),
    goal: 0.8,
  },
  {
    name: 'timeline, 20 developments with participants',
    body: body('{ timeline(first: 20) { totalCount edges { node { id title participants { actor { id } } } } } }'),
    goal: 0.6,
  },
  {
    name: 'the actor as of a date',
    body: body(
      `query AsOf($id: ID!, $asOf: DateTime) {\n  actor(id: $id, asOf: $asOf) {\n    ${ACTOR_FIELDS}\n  }\n}`,
      {
        id: ACTOR,
        asOf: '2025-03-01T00:00:00.000Z',
      },
    ),
    goal: 0.8,
  },
];

export interface Refusal {
  readonly name: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  /** The error code the answer must carry. */
  readonly code: string;
}

const nested = (levels: number): string => (levels === 0 ? 'id' : `relations { other { ${nested(levels - 1)} } }`);

export const REFUSALS: readonly Refusal[] = [
  {
    name: 'a query bomb (18 levels deep): 400 QUERY_TOO_COMPLEX',
    body: body(`{ actor(id: "${ACTOR}") { ${nested(8)} } }`),
    headers: {},
    status: 400,
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    name: 'a wrong key: 401',
    body: body('{ __typename }'),
    headers: { authorization: 'Bearer not-a-key-of-this-server-0123456789' },
    status: 401,
    code: 'UNAUTHENTICATED',
  },
];
