import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../support/graphql-client.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';

let server: ServerProcess;
let editorKey: string;

const countEvents = async (url: string, key?: string): Promise<number> => {
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const page: Awaited<
      ReturnType<
        typeof graphql<{ eventLog: { edges: unknown[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } } }>
      >
    > = await graphql(
      url,
      'query($after: String) { eventLog(first: 500, after: $after) { edges { cursor } pageInfo { endCursor hasNextPage } } }',
      { after },
      key,
    );
    const log = page.data!.eventLog;
    count += log.edges.length;
    if (!log.pageInfo.hasNextPage) return count;
    after = log.pageInfo.endCursor;
  }
};

beforeAll(async () => {
  server = await startServerProcess();
  const printed = /Authorization: Bearer (\S+)/.exec(server.stdout());
  expect(printed, 'the first start prints the editor key it made').not.toBeNull();
  editorKey = printed![1]!;
});

afterAll(async () => {
  await server?.stop();
  if (server) removeDir(server.dataDir);
});

describe('the start command on a fresh data directory', () => {
  it('answers /healthz once the read models have caught up', async () => {
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('answers /readyz: the log answers and the read models hold all of it', async () => {
    const response = await fetch(`${server.baseUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', store: 'ok', readModels: 'caught-up' });
  });

  it('serves the Budapest summit as AGREED on 17 October and not at all on 15 October', async () => {
    const query =
      'query($asOf: DateTime) { meeting(id: "budapest-summit-2025", asOf: $asOf) { status location scheduledFor asOf } }';
    const on17 = await graphql(server.url, query, { asOf: '2025-10-17T12:00:00Z' });
    expect(on17.data).toEqual({
      meeting: { status: 'AGREED', location: 'Budapest', scheduledFor: null, asOf: '2025-10-17T12:00:00.000Z' },
    });
    const on15 = await graphql(server.url, query, { asOf: '2025-10-15T12:00:00Z' });
    expect(on15.data).toEqual({ meeting: null });
  });

  it("holds Putin's opposition to Tomahawks", async () => {
    const response = await graphql<{ actor: { positions: { topic: { id: string }; stance: string }[] } }>(
      server.url,
      '{ actor(id: "vladimir-putin") { positions { topic { id } stance } } }',
    );
    expect(response.data!.actor.positions).toContainEqual({ topic: { id: 'tomahawk-missiles' }, stance: 'OPPOSES' });
  });

  it("lists Trump's October developments in date order", async () => {
    const response = await graphql<{
      timeline: {
        totalCount: number;
        edges: { node: { id: string; occurredAt: string; participants: { actor: { id: string } }[] } }[];
      };
    }>(
      server.url,
      `
        {
          timeline(filter: { actorIds: ["donald-trump"], from: "2025-10-01T00:00:00Z" }, order: ASC) {
            totalCount
            edges {
              node {
                id
                occurredAt
                participants {
                  actor {
                    id
                  }
                }
              }
            }
          }
        }
      `,
    );
    const nodes = response.data!.timeline.edges.map((edge) => edge.node);
    expect(nodes.length).toBeGreaterThanOrEqual(5);
    expect(response.data!.timeline.totalCount).toBe(nodes.length);
    const dates = nodes.map((node) => node.occurredAt);
    expect(dates).toEqual([...dates].sort());
    for (const node of nodes) {
      expect(node.occurredAt >= '2025-10-01').toBe(true);
      expect(node.participants.map((p) => p.actor.id)).toContain('donald-trump');
    }
    expect(nodes.map((node) => node.id)).toEqual(
      expect.arrayContaining(['trump-threatens-tomahawks-2025-10-12', 'trump-putin-call-2025-10-16']),
    );
  });

  it("shows the Modi claim as DISPUTED by India's foreign ministry", async () => {
    const response = await graphql(
      server.url,
      `
        {
          development(id: "trump-claims-modi-oil-promise-2025-10-15") {
            kind
            status
            revision
            verifications {
              status
              by {
                id
              }
            }
            participants {
              actor {
                id
              }
              role
            }
          }
        }
      `,
    );
    expect(response.data).toMatchObject({
      development: {
        kind: 'CLAIM',
        status: 'DISPUTED',
        revision: 1,
        verifications: [{ status: 'DISPUTED', by: { id: 'india-mea' } }],
      },
    });
  });

  it('carries the sources the article names', async () => {
    const response = await graphql<{ timeline: { edges: { node: { sources: { publisher: string }[] } }[] } }>(
      server.url,
      '{ timeline(first: 500) { edges { node { sources { publisher } } } } }',
    );
    const publishers = new Set(
      response.data!.timeline.edges.flatMap((edge) => edge.node.sources.map((source) => source.publisher)),
    );
    for (const publisher of ['Kremlin.ru', 'CBS News', 'Truth Social']) expect(publishers).toContain(publisher);
  });
});

describe('writing with and without the editor key', () => {
  const record = `mutation($input: RecordDevelopmentInput!) { recordDevelopment(input: $input) { id status revision } }`;
  const input = {
    id: 'e2e-statement-2025-10-18',
    kind: 'STATEMENT',
    title: 'Trump says the Budapest summit will happen within two weeks',
    occurredAt: '2025-10-18T15:00:00Z',
    precision: 'INSTANT',
    participants: [{ actorId: 'donald-trump', role: 'SOURCE' }],
    topicIds: ['peace-talks'],
    sources: [{ publisher: 'E2E Wire' }],
  };

  it('refuses a write without a key, and the log is unchanged', async () => {
    const before = await countEvents(server.url);
    const response = await graphql(server.url, record, { input });
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.status).toBe(401);
    expect(await countEvents(server.url)).toBe(before);
  });

  it('refuses a wrong key', async () => {
    const before = await countEvents(server.url);
    const response = await graphql(server.url, record, { input }, 'not-a-key-of-this-server');
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await countEvents(server.url)).toBe(before);
  });

  it('refuses bad input with the path of the offending field, and the log is unchanged', async () => {
    const before = await countEvents(server.url);
    const response = await graphql(server.url, record, { input: { ...input, tone: 12 } }, editorKey);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', path: ['input', 'tone'] });
    const missing = await graphql(
      server.url,
      record,
      { input: { ...input, participants: [{ actorId: 'nobody', role: 'SOURCE' }] } },
      editorKey,
    );
    expect(missing.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      path: ['input', 'participants', 0, 'actorId'],
    });
    expect(await countEvents(server.url)).toBe(before);
  });

  it('records with the printed key; the next timeline query shows it; the same call again appends nothing', async () => {
    const before = await countEvents(server.url);
    const response = await graphql(server.url, record, { input }, editorKey);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ recordDevelopment: { id: input.id, status: 'REPORTED', revision: 0 } });
    expect(await countEvents(server.url)).toBe(before + 1);

    const timeline = await graphql<{ timeline: { edges: { node: { id: string } }[] } }>(
      server.url,
      '{ timeline(filter: {actorIds: ["donald-trump"], from: "2025-10-18T00:00:00Z"}) { edges { node { id } } } }',
    );
    expect(timeline.data!.timeline.edges.map((edge) => edge.node.id)).toContain(input.id);

    const again = await graphql(server.url, record, { input }, editorKey);
    expect(again.data).toEqual({ recordDevelopment: { id: input.id, status: 'REPORTED', revision: 0 } });
    expect(await countEvents(server.url)).toBe(before + 1);

    const other = await graphql(server.url, record, { input: { ...input, title: 'Something else' } }, editorKey);
    expect(other.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', path: ['input', 'id'] });
  });

  it('corrects with the revision it read and refuses a stale one', async () => {
    const correct = `mutation($input: CorrectDevelopmentInput!) {
      correctDevelopment(input: $input) { revision occurredAt corrections { changedFields } } }`;
    const patch = { occurredAt: '2025-10-18T16:00:00Z' };
    const ok = await graphql(
      server.url,
      correct,
      { input: { id: input.id, expectedRevision: 0, reason: 'time zone', patch } },
      editorKey,
    );
    expect(ok.data).toEqual({
      correctDevelopment: {
        revision: 1,
        occurredAt: '2025-10-18T16:00:00.000Z',
        corrections: [{ changedFields: ['occurredAt'] }],
      },
    });
    const stale = await graphql(
      server.url,
      correct,
      { input: { id: input.id, expectedRevision: 0, reason: 'again', patch: { title: 'x' } } },
      editorKey,
    );
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', actualRevision: 1 });
  });
});

describe('a restart on the same data directory', () => {
  it('keeps the log, does not seed again, prints no new key, and rebuilds the same state', async () => {
    const query =
      '{ actor(id: "donald-trump") { developmentCount positions { topic { id } stance } relations { other { id } developmentCount } } }';
    const before = await graphql(server.url, query);
    const events = await countEvents(server.url);
    await server.stop();
    server = await startServerProcess({}, server.dataDir);
    expect(server.stdout()).not.toContain('Authorization: Bearer');
    expect(await countEvents(server.url)).toBe(events);
    expect(await graphql(server.url, query)).toEqual(before);
  });
});
