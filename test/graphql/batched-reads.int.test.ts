import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VersionKind } from '../../src/read-store/read-model-store.js';
import { graphql } from '../support/graphql-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';

/**
 * Resolvers read the read models in batches (DataLoader, src/graphql/loaders.ts): a page of developments reads its
 * participants' actors and its topics in one read per kind, not one per participant (no N+1). The reads are counted
 * on the server's own read model reader, which the requests go through, over real HTTP on the seeded server.
 */

let server: InProcessServer;
const reads: { kind: VersionKind; ids: number }[] = [];

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SEED: 'true' });
  const reader = server.timeline.services.reads;
  const versions = reader.versions.bind(reader);
  Object.assign(reader, {
    versions: (kind: VersionKind, ids: readonly string[]) => {
      reads.push({ kind, ids: ids.length });
      return versions(kind, ids);
    },
  });
});

afterAll(async () => {
  await server?.close();
});

interface Page {
  timeline: { edges: { node: { participants: { actor: { id: string } }[]; topics: { id: string }[] } }[] };
}

describe('batched reads', () => {
  it("reads a page's participants and topics once per kind, however many there are", async () => {
    const query = `{ timeline(first: 20, knownAt: "2030-01-01T00:00:00Z") {
      edges { node { id participants { role actor { id name country } } topics { id title } } }
    } }`;
    for (const _ of [1, 2]) {
      reads.length = 0;
      const answer = await graphql<Page>(server.url, query);
      expect(answer.errors).toBeUndefined();
      const developments = answer.data!.timeline.edges.map(({ node }) => node);
      const participants = developments.flatMap((development) => development.participants);
      const actors = new Set(participants.map(({ actor }) => actor.id));
      const topics = new Set(developments.flatMap((development) => development.topics.map(({ id }) => id)));
      // Enough of each for one read per item to show.
      expect(developments).toHaveLength(20);
      expect(actors.size).toBeGreaterThan(5);
      expect(topics.size).toBeGreaterThan(2);

      const actorReads = reads.filter(({ kind }) => kind === 'actor');
      const topicReads = reads.filter(({ kind }) => kind === 'topic');
      expect(actorReads).toEqual([{ kind: 'actor', ids: actors.size }]);
      expect(topicReads).toEqual([{ kind: 'topic', ids: topics.size }]);
    }
  });
});
