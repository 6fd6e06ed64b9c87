import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText, valueOf } from '../observability/prometheus-text.js';
import { graphql, type GraphQLResponse } from '../support/graphql-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';

/**
 * Queries run through graphql-js on their first use and compiled (graphql-jit) from their second: over real HTTP on
 * the seeded server, every answer of a document asked again equals its first, errors (their codes and paths)
 * included, and the compilations are counted.
 */

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SEED: 'true' });
});

afterAll(async () => {
  await server?.close();
});

const compiledSoFar = async (on = server): Promise<number> => {
  const response = await fetch(`${new URL(on.url).origin}/metrics`);
  return valueOf(parsePrometheusText(await response.text()), 'timeline_graphql_documents_compiled_total');
};

const ACTOR = `query Actor($id: ID!, $asOf: DateTime, $knownAt: DateTime) {
  actor(id: $id, asOf: $asOf, knownAt: $knownAt) {
    id name kind aliases country cameoCode asOf knownAt
    roles { title since until }
    positions { stance topic { id title } development { id title } }
    relations { other { id name } developmentCount tone lastTone lastDevelopment { id } }
    meetings { id status }
    developments(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind } } }
    developmentCount lastActiveAt
  }
}`;

const TIMELINE = `query Timeline($first: Int, $after: String, $actorId: ID!) {
  timeline(first: $first, after: $after, filter: { actorIds: [$actorId] }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind title occurredAt status participants { role actor { id name } } } }
  }
}`;

const LISTS = `{
  actors(first: 5) { totalCount edges { node { id name relations { other { id } developmentCount } } } }
  topics(first: 5) { totalCount edges { node { id title status } } }
  meetings(first: 5) { totalCount edges { node { id status participants { id } topics { id } } } }
}`;

describe('compiled execution', () => {
  it('answers a query asked again as its first answer, errors included, and compiles it once', async () => {
    const someone = await graphql<{ actors: { edges: { node: { id: string } }[] } }>(
      server.url,
      '{ actors(first: 1) { edges { node { id } } } }',
    );
    const actorId = someone.data!.actors.edges[0]!.node.id;

    const asked: [string, Record<string, unknown>][] = [
      // Explicit time points: an answer about "now" would differ by its asOf and knownAt alone.
      [ACTOR, { id: actorId, asOf: '2025-10-20T00:00:00Z', knownAt: '2030-01-01T00:00:00Z' }],
      [ACTOR, { id: actorId, asOf: '2025-10-10T00:00:00Z', knownAt: '2030-01-01T00:00:00Z' }],
      [ACTOR, { id: 'nobody-at-all' }],
      [TIMELINE, { first: 4, actorId }],
      [LISTS, {}],
      // Errors: a cursor that is not one (a resolver's BAD_USER_INPUT, with its path), and a variable that is no
      // DateTime (refused before any resolver runs).
      [TIMELINE, { first: 2, after: 'not-a-cursor', actorId }],
      [ACTOR, { id: actorId, asOf: 'yesterday' }],
    ];
    const before = await compiledSoFar();
    const first: GraphQLResponse[] = [];
    for (const [query, variables] of asked) first.push(await graphql(server.url, query, variables));

    expect(first[0]!.data?.actor).toMatchObject({ id: actorId });
    expect(first[2]!.data).toEqual({ actor: null });
    expect(first[5]!.errors?.[0]).toMatchObject({ path: ['timeline'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(first[6]!.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    for (let round = 0; round < 2; round++) {
      for (const [index, [query, variables]] of asked.entries()) {
        expect(await graphql(server.url, query, variables)).toEqual(first[index]);
      }
    }
    // One compilation per document (three documents), on its second use, whatever its variables.
    expect((await compiledSoFar()) - before).toBe(3);
  });

  it('runs mutations as graphql-js does, never compiled', async () => {
    const before = await compiledSoFar();
    for (let i = 0; i < 3; i++) {
      const refused = await graphql(
        server.url,
        'mutation Register($input: RegisterActorInput!) { registerActor(input: $input) { id } }',
        { input: { id: 'compiled-test', name: 'Compiled Test', kind: 'PERSON' } },
      );
      expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(await compiledSoFar()).toBe(before);
  });

  it('compiles nothing with TIMELINE_COMPILED_QUERIES=false, and answers alike', async () => {
    const interpreted = await startInProcessServer({ TIMELINE_SEED: 'true', TIMELINE_COMPILED_QUERIES: 'false' });
    try {
      const variables = { id: 'donald-trump', asOf: '2025-10-20T00:00:00Z', knownAt: '2030-01-01T00:00:00Z' };
      const expected = await graphql(server.url, ACTOR, variables);
      for (let i = 0; i < 3; i++) expect(await graphql(interpreted.url, ACTOR, variables)).toEqual(expected);
      expect(await compiledSoFar(interpreted)).toBe(0);
    } finally {
      await interpreted.close();
    }
  });
});
