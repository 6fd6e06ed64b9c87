import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';

/**
 * A counterpart or a topic asked for its id (and viewId) alone is not read (src/graphql/common/references.ts), and the answer is
 * the one a query that reads it gives: over real HTTP on the seeded server, asked twice (graphql-js on a document's
 * first use, graphql-jit from its second), for every actor at two time points.
 */

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SEED: 'true' });
});

afterAll(async () => {
  await server?.close();
});

interface Answer {
  readonly actor: {
    readonly relations: readonly {
      readonly other: { readonly id: string; readonly viewId: string; readonly name?: string };
    }[];
    readonly positions: readonly {
      readonly topic: { readonly id: string; readonly viewId: string; readonly title?: string };
    }[];
  } | null;
}

const IDS_ONLY = `query ($id: ID!, $asOf: DateTime) { actor(id: $id, asOf: $asOf) {
  relations { other { __typename id viewId } } positions { topic { id viewId } } } }`;
const READ = `query ($id: ID!, $asOf: DateTime) { actor(id: $id, asOf: $asOf) {
  relations { other { id viewId name } } positions { topic { id viewId title } } } }`;
const FRAGMENT = `query ($id: ID!, $asOf: DateTime) { actor(id: $id, asOf: $asOf) {
  relations { ...R } positions { topic { ... on Topic { id viewId } } } } }
  fragment R on Relation { other { id viewId } }`;

const ids = (answer: Answer) => ({
  others: answer.actor?.relations.map((relation) => `${relation.other.id} ${relation.other.viewId}`),
  topics: answer.actor?.positions.map((position) => `${position.topic.id} ${position.topic.viewId}`),
});

describe('references asked for their id', () => {
  it('answer the ids a query that reads the entities answers, compiled or not', async () => {
    const all = await graphql<{ actors: { edges: { node: { id: string } }[] } }>(
      server.url,
      '{ actors(first: 50) { edges { node { id } } } }',
    );
    const actorIds = all.data!.actors.edges.map((edge) => edge.node.id);
    let related = 0;
    let positions = 0;
    for (const id of actorIds) {
      for (const asOf of ['2025-10-12T00:00:00Z', '2026-01-01T00:00:00Z']) {
        const answers = [];
        for (const query of [IDS_ONLY, READ, FRAGMENT, IDS_ONLY, READ, FRAGMENT]) {
          const response = await graphql<Answer>(server.url, query, { id, asOf });
          expect(response.errors).toBeUndefined();
          answers.push(response.data!);
        }
        const expected = ids(answers[1]!);
        for (const answer of answers) expect(ids(answer)).toEqual(expected);
        expect(answers[0]!.actor?.relations.every((relation) => relation.other.name === undefined)).toBe(true);
        expect(answers[1]!.actor?.relations.every((relation) => typeof relation.other.name === 'string')).toBe(true);
        related += expected.others?.length ?? 0;
        positions += expected.topics?.length ?? 0;
      }
    }
    // The seed's actors deal with each other: the comparison is not over empty lists.
    expect(related).toBeGreaterThan(10);
    expect(positions).toBeGreaterThan(0);
  });
});
