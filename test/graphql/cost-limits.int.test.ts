import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getIntrospectionQuery, parse, type OperationDefinitionNode } from 'graphql';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOperationLimits, DEFAULT_LIMITS } from '../../src/graphql/operation-limits.js';
import { timelineSchema } from '../../src/graphql/schema.js';
import { graphql } from '../support/graphql-client.js';
import { EDITOR_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { collect, wsClient } from '../support/live-client.js';
import { developmentInput, openTopic, recordDevelopment, registerActor } from '../support/live-fixtures.js';
import { deletePrefix } from '../support/shared-read-models.js';
import { SHARED_REDIS_URL } from '../support/shared-redis.js';

/**
 * What an operation may cost, checked before it runs, over HTTP and WebSocket alike: depth, complexity (lists cost
 * their items, a page its `first`), aliases, body size; how long it may run; whether the schema may be introspected.
 */

let server: InProcessServer;

beforeAll(async () => {
  server = await startInProcessServer({ TIMELINE_MAX_BODY_BYTES: '65536' });
  await registerActor(server.url, 'cost-a', 'A');
  await registerActor(server.url, 'cost-b', 'B');
  await openTopic(server.url, 'cost-topic');
});
afterAll(async () => server.close());

const refusal = async (query: string, key?: string) => {
  const response = await graphql(server.url, query, {}, key);
  expect(response.data ?? null).toBeNull();
  return { status: response.status, ...response.errors![0]! };
};

const nested = (levels: number): string => (levels === 0 ? 'id' : `relations { other { ${nested(levels - 1)} } }`);

describe('cost limits', () => {
  it('refuse a query nested too deep, with QUERY_TOO_COMPLEX and the depth', async () => {
    const error = await refusal(`{ actor(id: "cost-a") { ${nested(8)} } }`);
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', depth: 18, maxDepth: 12 });
    expect(error.status).toBe(400);
  });

  it('refuse first: 1000000 as too costly before any resolver checks the page size', async () => {
    const error = await refusal('{ timeline(first: 1000000) { edges { node { id title } } } }');
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 50_000 });
    expect(error.extensions!.complexity as number).toBeGreaterThan(1_000_000);
  });

  it('decide again for each page size and @include a document is asked with, whatever else its variables say', async () => {
    // The decision on a document is kept per value of the variables a cost depends on (operation-limits.ts): the
    // same text asked in turn with a small and a huge page, and with a costly part included or not.
    const page = `query ($first: Int, $knownAt: DateTime, $deep: Boolean!) {
      timeline(first: $first, knownAt: $knownAt) { totalCount edges { node { id } } }
      actors(first: 1000) @include(if: $deep) { edges { node { relations { other { relations { developmentCount } } } } } }
    }`;
    const ask = (first: number, deep: boolean, knownAt: string) => graphql(server.url, page, { first, deep, knownAt });
    for (const knownAt of ['2025-10-01T00:00:00Z', '2025-11-01T00:00:00Z']) {
      const small = await ask(5, false, knownAt);
      expect(small.errors).toBeUndefined();
      expect(small.data).toMatchObject({ timeline: { totalCount: expect.any(Number) } });
      const huge = await ask(1_000_000, false, knownAt);
      expect(huge.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 50_000 });
      expect(huge.status).toBe(400);
      expect((await ask(5, true, knownAt)).errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
      expect((await ask(5, false, knownAt)).errors).toBeUndefined();
      // A variable that is no DateTime is the executor's to refuse, cost decided or not.
      expect((await ask(1_000_000, false, 'yesterday')).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('refuse a hundred aliases (a thousand are already too many fields)', async () => {
    const aliases = (count: number) =>
      `{ ${Array.from({ length: count }, (_, n) => `a${n}: timeline(first: 1) { totalCount }`).join(' ')} }`;
    expect((await refusal(aliases(100))).extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      aliases: 100,
      maxAliases: 30,
    });
    expect((await refusal(aliases(1000))).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', fields: 2000 });
  });

  it('refuse a document of too many fields before validating it (validation compares them pairwise)', async () => {
    const fields = Array.from({ length: 1500 }, () => '__typename').join(' ');
    const error = await refusal(`{ ${fields} }`);
    expect(error.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', fields: 1500, maxFields: 1000 });
    expect(error.status).toBe(400);
  });

  it('let ordinary large reads through: a page of 500 developments with their actors', async () => {
    const response = await graphql(
      server.url,
      `
        {
          timeline(first: 500) {
            totalCount
            edges {
              cursor
              node {
                id
                title
                occurredAt
                tone
                participants {
                  role
                  actor {
                    id
                    name
                    kind
                  }
                }
                topics {
                  id
                  title
                }
                sources {
                  publisher
                  url
                }
              }
            }
          }
        }
      `,
    );
    expect(response.errors).toBeUndefined();
  });

  it('refuse a body over TIMELINE_MAX_BODY_BYTES with 413, in the GraphQL error shape', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ timeline(first: 1) { totalCount } } # ${'x'.repeat(70_000)}` }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'the request body is larger than 65536 bytes',
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBodyBytes: 65_536 },
        },
      ],
    });
  });

  it('apply the same limits to subscriptions over WebSocket', async () => {
    const client = wsClient(server.url);
    try {
      const aliases = Array.from({ length: 40 }, (_, n) => `c${n}: cursor`).join(' ');
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { timelineChanges { ${aliases} } }` },
          { next: () => undefined, error: resolve, complete: () => resolve(null) },
        );
      });
      expect(error).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', aliases: 40 }) }),
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('let a subscription cost what a query may (TIMELINE_MAX_COMPLEXITY), as docs/api.md says, and no more', async () => {
    await recordDevelopment(
      server.url,
      developmentInput('cost-dev', { actors: ['cost-a', 'cost-b'], topics: ['cost-topic'] }),
    );
    const costing = (first: number) => `subscription {
      timelineChanges(since: "2000-01-01T00:00:00Z") {
        cursor development { participants { actor { developments(first: ${first}) { edges { node { id title } } } } } }
      }
    }`;
    // Over the 3,000 the API guide once gave for subscriptions, under the 50,000 that queries have.
    const document = parse(costing(200));
    const operation = document.definitions[0] as OperationDefinitionNode;
    const schema = await timelineSchema();
    const at3000 = checkOperationLimits(schema, document, operation, {}, { ...DEFAULT_LIMITS, maxComplexity: 3_000 });
    expect(at3000?.extensions.complexity).toBeGreaterThan(3_000);
    expect(checkOperationLimits(schema, document, operation, {})).toBeNull();
    const client = wsClient(server.url);
    try {
      const accepted = collect(client, costing(200));
      await accepted.until((items) => items.length === 1);
      expect(accepted.errors).toEqual([]);
      accepted.unsubscribe();
      const refused = collect(client, costing(20_000));
      await refused.until(() => refused.errors.length > 0);
      expect(refused.errors).toEqual([
        [
          expect.objectContaining({
            extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 50_000 }),
          }),
        ],
      ]);
    } finally {
      await client.dispose();
    }
    const guide = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(guide).toContain(
      `complexity \`TIMELINE_MAX_COMPLEXITY\`: ${DEFAULT_LIMITS.maxComplexity.toLocaleString('en')}`,
    );
  });

  it("give GraphQL's own refusals over WebSocket the codes they get over HTTP", async () => {
    const client = wsClient(server.url);
    const refusal = (query: string) =>
      new Promise<unknown>((resolve) => {
        client.subscribe({ query }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
      });
    try {
      expect(await refusal('subscription { timelineChanges { cursor } actorChanged(id: "a") { id } }')).toEqual([
        expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
      ]);
      expect(await refusal('subscription {')).toEqual([
        expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('answer introspection by default, and refuse it with TIMELINE_INTROSPECTION=false', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect((await graphql(server.url, query)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    // The full introspection query tools send (GraphiQL's too) follows ofType nine deep: that is not depth.
    const full = await graphql(server.url, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(full.errors).toBeUndefined();
    expect(full.data).toHaveProperty('__schema.types');
    const closed = await startInProcessServer({ TIMELINE_INTROSPECTION: 'false' });
    try {
      const response = await graphql(closed.url, query);
      expect(response.data ?? null).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(response.errors?.[0]?.message).toMatch(/introspection/i);
    } finally {
      await closed.close();
    }
  });
});

describe('operation timeout', () => {
  it('answers OPERATION_TIMEOUT (503) when an operation runs past TIMELINE_OPERATION_TIMEOUT_MS', async () => {
    // An API process with no projector running: a mutation is appended, then waits for the read models forever.
    const prefix = `test-timeout-${randomUUID()}`;
    const api = await startInProcessServer({
      TIMELINE_ROLE: 'serve',
      REDIS_URL: SHARED_REDIS_URL,
      TIMELINE_REDIS_PREFIX: prefix,
      TIMELINE_OPERATION_TIMEOUT_MS: '300',
    });
    try {
      const response = await graphql(
        api.url,
        'mutation($i: RegisterActorInput!) { registerActor(input: $i) { id } }',
        { i: { id: 'slow-actor', name: 'Slow', kind: 'PERSON' } },
        EDITOR_KEY,
      );
      expect(response.status).toBe(503);
      expect(response.errors?.[0]?.extensions).toEqual({ code: 'OPERATION_TIMEOUT', timeoutMs: 300 });
      expect(response.errors?.[0]?.message).toMatch(/may still have been recorded/);
      // It was: the log has it.
      const [event] = await api.timeline.services.store.readAll({ after: null, maxCount: 1 });
      expect(event?.type).toBe('ActorRegistered');
    } finally {
      await api.close();
      const redis = new Redis(SHARED_REDIS_URL);
      await deletePrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
