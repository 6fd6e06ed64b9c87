import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EMBEDDED_TYPES, VIEW_TYPES } from '../../src/client/cache-keys.js';
import { timelineSchema } from '../../src/graphql/schema.js';

const contract = buildSchema(readFileSync(new URL('../fixtures/contract.graphql', import.meta.url), 'utf8'));

describe('the served schema keeps the contract', () => {
  it('has no breaking change against contract.graphql', async () => {
    expect(findBreakingChanges(contract, await timelineSchema())).toEqual([]);
  });

  it('serves every query, mutation and subscription of the contract', async () => {
    const served = await timelineSchema();
    for (const root of ['Query', 'Mutation', 'Subscription'] as const) {
      const wanted = Object.keys((contract.getType(root) as GraphQLObjectType).getFields());
      const has = Object.keys((served.getType(root) as GraphQLObjectType).getFields());
      expect(has).toEqual(expect.arrayContaining(wanted));
    }
  });
});

describe('the client cache keys fit the served schema (docs/api.md, "Client caches")', () => {
  const objectTypes = async () =>
    Object.values((await timelineSchema()).getTypeMap()).filter(
      (type): type is GraphQLObjectType =>
        isObjectType(type) && !type.name.startsWith('__') && !['Query', 'Mutation', 'Subscription'].includes(type.name),
    );

  it('gives every type with an id a viewId: ID!, so that adding viewId beside every id keeps a document valid', async () => {
    const withId = (await objectTypes()).filter((type) => 'id' in type.getFields());
    expect(withId.map((type) => type.name).sort()).toEqual([...VIEW_TYPES].sort());
    for (const type of withId) {
      expect(String(type.getFields().viewId?.type), type.name).toBe('ID!');
      expect(String(type.getFields().id?.type), type.name).toBe('ID!');
    }
  });

  it('names every other object type as one the caches keep inside its parent', async () => {
    const others = (await objectTypes()).filter((type) => !('id' in type.getFields()));
    expect(others.map((type) => type.name).sort()).toEqual([...EMBEDDED_TYPES].sort());
  });

  it('the contract has viewId on the same types', () => {
    for (const name of VIEW_TYPES) {
      const type = contract.getType(name) as GraphQLObjectType;
      expect(getNamedType(type.getFields().viewId!.type).name, name).toBe('ID');
    }
  });
});
