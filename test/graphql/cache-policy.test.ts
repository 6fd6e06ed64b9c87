import { getOperationAST, parse, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedKnownAt } from '../../src/graphql/cache-policy.js';
import { timelineSchema } from '../../src/graphql/schema.js';

// Which questions have every time point fixed, the condition for an answer kept for a year (cache-policy.ts);
// test/server/http-caching.int.test.ts checks the headers a real server sends for them.

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await timelineSchema();
});

const KNOWN_AT = '2025-01-01T00:00:00Z';
const fixedOf = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return fixedKnownAt(schema, document, getOperationAST(document)!, variables);
};

describe('an answer is fixed', () => {
  it('when every question names its knownAt, and its asOf where it takes one', () => {
    expect(
      fixedOf(`{ actor(id: "a", asOf: "2024-01-01T00:00:00Z", knownAt: "${KNOWN_AT}") { name roles { title } } }`),
    ).toBe(Date.parse(KNOWN_AT));
    expect(
      fixedOf('query Q($k: DateTime!, $a: DateTime) { meetings(asOf: $a, knownAt: $k) { edges { node { id } } } }', {
        k: KNOWN_AT,
        a: '2030-01-01T00:00:00Z',
      }),
    ).toBe(Date.parse(KNOWN_AT));
    // The latest of several knownAt decides.
    expect(
      fixedOf(
        `{ a: topic(id: "t", asOf: "${KNOWN_AT}", knownAt: "${KNOWN_AT}") { title } ` +
          `b: development(id: "d", knownAt: "2025-02-01T00:00:00Z") { title status } __typename }`,
      ),
    ).toBe(Date.parse('2025-02-01T00:00:00Z'));
  });

  it('for the timeline at a knownAt, as long as it reaches no state computed as of now', () => {
    expect(fixedOf(`{ timeline(knownAt: "${KNOWN_AT}") { totalCount edges { node { id title status } } } }`)).toBe(
      Date.parse(KNOWN_AT),
    );
    // Its participants' actors, its topics and its meeting are states as of now (timeline takes no asOf).
    expect(
      fixedOf(`{ timeline(knownAt: "${KNOWN_AT}") { edges { node { participants { actor { name } } } } } }`),
    ).toBeNull();
    expect(
      fixedOf(
        `{ timeline(knownAt: "${KNOWN_AT}") { edges { node { ...M } } } } fragment M on Development { meeting { id } }`,
      ),
    ).toBeNull();
    expect(
      fixedOf(`{ development(id: "d", knownAt: "${KNOWN_AT}") { ... on Development { topics { id } } } }`),
    ).toBeNull();
  });
});

describe('an answer is not fixed', () => {
  it('without a knownAt, without an asOf where one is taken, or when the variables are not what they should be', () => {
    expect(fixedOf('{ timeline { totalCount } }')).toBeNull();
    expect(fixedOf(`{ actor(id: "a", knownAt: "${KNOWN_AT}") { name } }`)).toBeNull();
    expect(fixedOf('query Q($k: DateTime) { timeline(knownAt: $k) { totalCount } }', {})).toBeNull();
    expect(fixedOf('query Q($k: DateTime) { timeline(knownAt: $k) { totalCount } }', { k: 'yesterday' })).toBeNull();
  });

  it('for the raw log, admin questions, introspection, and anything but a query', () => {
    expect(fixedOf('{ eventLog(first: 1) { edges { node { type } } } }')).toBeNull();
    expect(fixedOf('{ serverStatus { role } }')).toBeNull();
    expect(fixedOf('{ __schema { queryType { name } } }')).toBeNull();
    expect(
      fixedOf(`{ timeline(knownAt: "${KNOWN_AT}") { totalCount } eventLog(first: 1) { edges { cursor } } }`),
    ).toBeNull();
    expect(fixedOf('subscription { timelineChanges { cursor } }')).toBeNull();
  });
});
