import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient } from '../support/live-client.js';
import { DEVELOPMENT_EVENT_TYPES, mutate } from '../support/live-fixtures.js';

/**
 * Cursors (docs/api.md, "Pages"): `after: endCursor` goes on from the right place whatever a page held, `first: 0`
 * included; a subscription's `after` takes log positions, and names them when given a page's cursor.
 */

let server: InProcessServer;
beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_SEED: 'true' });
}, 60_000);
afterAll(async () => server.close());

interface Page {
  edges: { cursor: string; node: { id?: string; position?: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount?: number;
}

const timeline = async (first: number, after: string | null = null) =>
  (
    await mutate<{ timeline: Page }>(
      server.url,
      `query ($first: Int, $after: String) {
        timeline(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } }
      }`,
      { first, after },
    )
  ).timeline;

describe('pages', () => {
  it('first: 0 counts, and its endCursor is where the next page starts: the start without after, after with one', async () => {
    const count = await timeline(0);
    expect(count.edges).toEqual([]);
    expect(count.totalCount).toBeGreaterThan(10);
    expect(count.pageInfo).toEqual({ hasNextPage: true, endCursor: null });
    expect((await timeline(3, count.pageInfo.endCursor)).edges).toEqual((await timeline(3)).edges);

    const first = await timeline(3);
    const empty = await timeline(0, first.pageInfo.endCursor);
    expect(empty.edges).toEqual([]);
    expect(empty.pageInfo).toEqual({ hasNextPage: true, endCursor: first.pageInfo.endCursor });
    const next = await timeline(3, empty.pageInfo.endCursor);
    expect(next.edges.map((edge) => edge.node.id)).toEqual(
      (await timeline(6)).edges.slice(3).map((edge) => edge.node.id),
    );
  });

  it('refuse an after that is not one of theirs, saying which cursors they take', async () => {
    const refusal = async (query: string, after: string) =>
      (await graphql(server.url, query, { after })).errors?.[0]?.message;
    const { eventLog } = await mutate<{ eventLog: Page }>(server.url, '{ eventLog(first: 1) { edges { cursor } } }');
    expect(
      await refusal('query ($after: String) { timeline(after: $after) { totalCount } }', eventLog.edges[0]!.cursor),
    ).toBe("after takes a cursor of this list (an edge's cursor, or pageInfo.endCursor); this is not one");
    expect(
      await refusal('query ($after: String) { eventLog(after: $after) { pageInfo { hasNextPage } } }', 'page-3'),
    ).toBe('after takes a log position (a RecordedEvent position, or a TimelineChange cursor); this is not one');
  });

  it('past the end: no next page, and endCursor stays where it stood', async () => {
    const all = await timeline(500);
    const last = all.edges.at(-1)!.cursor;
    expect(all.pageInfo).toEqual({ hasNextPage: false, endCursor: last });
    expect((await timeline(5, last)).pageInfo).toEqual({ hasNextPage: false, endCursor: last });
  });

  it('a nested connection and the event log page the same way', async () => {
    const { actor, eventLog } = await mutate<{ actor: { developments: Page }; eventLog: Page }>(
      server.url,
      `{
        actor(id: "vladimir-putin") { developments(first: 0) { totalCount pageInfo { hasNextPage endCursor } edges { cursor } } }
        eventLog(first: 2) { edges { cursor } pageInfo { hasNextPage endCursor } }
      }`,
    );
    expect(actor.developments).toEqual({ totalCount: 7, pageInfo: { hasNextPage: true, endCursor: null }, edges: [] });
    const position = eventLog.pageInfo.endCursor;
    const { eventLog: empty } = await mutate<{ eventLog: Page }>(
      server.url,
      'query ($after: String) { eventLog(first: 0, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }',
      { after: position },
    );
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: true, endCursor: position } });
  });
});

describe("a subscription's after", () => {
  const refusal = async (after: string) => {
    const client = wsClient(server.url);
    try {
      const feed = collect(client, 'subscription ($after: String) { timelineChanges(after: $after) { cursor } }', {
        after,
      });
      await feed.until(() => feed.completed);
      expect(feed.items).toEqual([]);
      return feed.errors as { message: string; extensions?: Record<string, unknown> }[];
    } finally {
      await client.dispose();
    }
  };

  it('refuses a timeline edge cursor, saying which cursors it takes and what to pass instead', async () => {
    const [error] = await refusal((await timeline(1)).edges[0]!.cursor);
    expect(error!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(error!.message).toMatch(
      /takes a log position: the cursor of a TimelineChange .* or a RecordedEvent position/,
    );
    expect(error!.message).toMatch(/this is a page cursor .* pass since/);
  });

  it('refuses anything else that is no log position, saying which it takes', async () => {
    const [error] = await refusal('not-a-cursor');
    expect(error!.message).toMatch(/^after takes a log position.*; this is not one$/);
  });

  it('takes an event log position, and replays what follows it', async () => {
    const { eventLog } = await mutate<{ eventLog: Page }>(
      server.url,
      'query ($types: [String!]) { eventLog(first: 500, types: $types) { edges { cursor } } }',
      { types: DEVELOPMENT_EVENT_TYPES },
    );
    const positions = eventLog.edges.map((edge) => edge.cursor);
    const client = wsClient(server.url);
    try {
      const feed = collect<{ timelineChanges: { cursor: string; phase: string } }>(
        client,
        'subscription ($after: String) { timelineChanges(after: $after) { cursor phase } }',
        { after: positions.at(-3) },
      );
      await feed.until((items) => items.length === 2);
      expect(feed.items.map((item) => item.timelineChanges)).toEqual(
        positions.slice(-2).map((cursor) => ({ cursor, phase: 'REPLAY' })),
      );
      feed.unsubscribe();
    } finally {
      await client.dispose();
    }
  });
});
