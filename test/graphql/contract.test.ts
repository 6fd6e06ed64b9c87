import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
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
