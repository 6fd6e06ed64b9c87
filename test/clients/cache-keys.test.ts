import { InMemoryCache, type TypePolicies } from '@apollo/client';
import type { KeyingConfig } from '@urql/exchange-graphcache';
import { parse, print, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { getDataID, keys, typePolicies } from '../../src/client/cache-keys.js';
import { withViewIds } from '../../src/client/with-view-ids.js';
import { timelineSchema } from '../../src/graphql/schema.js';

// The shapes each library documents: a change that breaks one fails the type check.
const apolloPolicies: TypePolicies = typePolicies;
const graphcacheKeys: KeyingConfig = keys;

const PAST = 'vladimir-putin@asOf=2025-10-02T00:00:00.000Z;knownAt=now';

describe('the cache keys', () => {
  it("key Apollo's entries on viewId, the live view under Apollo's usual id, and keep one without it inside its parent", () => {
    const cache = new InMemoryCache({ typePolicies: apolloPolicies });
    expect(cache.identify({ __typename: 'Actor', id: 'vladimir-putin', viewId: 'vladimir-putin' })).toBe(
      'Actor:vladimir-putin',
    );
    expect(cache.identify({ __typename: 'Actor', id: 'vladimir-putin', viewId: PAST })).toBe(`Actor:${PAST}`);
    expect(cache.identify({ __typename: 'Development', id: 'd', viewId: 'd@asOf=now;knownAt=x' })).toBe(
      'Development:d@asOf=now;knownAt=x',
    );
    expect(cache.identify({ __typename: 'Actor', id: 'vladimir-putin' })).toBeUndefined();
  });

  it("key Graphcache's entities on viewId, and embed the rest", () => {
    expect(graphcacheKeys.Topic!({ __typename: 'Topic', id: 'peace-talks', viewId: 'peace-talks' })).toBe(
      'peace-talks',
    );
    expect(graphcacheKeys.Actor!({ __typename: 'Actor', id: 'vladimir-putin', viewId: PAST })).toBe(PAST);
    expect(graphcacheKeys.Actor!({ __typename: 'Actor', id: 'vladimir-putin' })).toBeNull();
    expect(graphcacheKeys.Participant!({ __typename: 'Participant', role: 'SOURCE' })).toBeNull();
  });

  it("give Relay a data id per type and view, and Relay's default elsewhere", () => {
    expect(getDataID({ id: 'budapest-summit-2025', viewId: 'budapest-summit-2025' }, 'Meeting')).toBe(
      'Meeting:budapest-summit-2025',
    );
    expect(getDataID({ id: 'vladimir-putin', viewId: PAST }, 'Actor')).toBe(`Actor:${PAST}`);
    expect(getDataID({ id: 'vladimir-putin' }, 'Actor')).toBeUndefined();
    expect(getDataID({ id: 'x' }, 'SomethingElse')).toBe('x');
  });
});

describe('withViewIds', () => {
  const document = parse(`
    query ($id: ID!) {
      actor(id: $id, asOf: "2025-10-02T00:00:00Z") {
        id name
        relations { developmentCount other { id } }
        developments(first: 2) { edges { node { ...Dev } } }
      }
      timeline(first: 1) { totalCount edges { node { ... on Development { id viewId } } } }
    }
    fragment Dev on Development { id title participants { actor { id } } }
  `);

  it('selects viewId beside every id, once, and nowhere else', async () => {
    const transformed = withViewIds(document);
    expect(print(transformed)).toBe(
      print(
        parse(`
          query ($id: ID!) {
            actor(id: $id, asOf: "2025-10-02T00:00:00Z") {
              id name
              relations { developmentCount other { id viewId } }
              developments(first: 2) { edges { node { ...Dev } } }
              viewId
            }
            timeline(first: 1) { totalCount edges { node { ... on Development { id viewId } } } }
          }
          fragment Dev on Development { id title participants { actor { id viewId } } viewId }
        `),
      ),
    );
    expect(validate(await timelineSchema(), transformed)).toEqual([]);
    expect(transformed).not.toHaveProperty('loc');
  });

  it('hands back the same document for the same document, and leaves one already done alone', () => {
    const transformed = withViewIds(document);
    expect(withViewIds(document)).toBe(transformed);
    expect(withViewIds(transformed)).toBe(transformed);
    expect(print(document)).not.toContain('other { id viewId }');
  });
});
