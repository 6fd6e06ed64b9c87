import { readFileSync } from 'node:fs';
import { buildSchema, findBreakingChanges, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { timelineSchema } from '../../src/graphql/schema.js';

const contract = buildSchema(readFileSync(new URL('../fixtures/contract.graphql', import.meta.url), 'utf8'));

/** Live updates are built by issue #3; until then these are the only parts of the contract the server lacks. */
const NOT_YET_SERVED = new Set(['Subscription', 'TimelineChange', 'ChangeKind', 'StreamPhase']);

describe('the served schema keeps the contract', () => {
  it('has no breaking change against contract.graphql, but for the live types still to come', async () => {
    const served = await timelineSchema();
    const breaking = findBreakingChanges(contract, served).filter(
      (change) => !(change.type === 'TYPE_REMOVED' && NOT_YET_SERVED.has(change.description.split(' ')[0]!)),
    );
    expect(breaking).toEqual([]);
  });

  it('serves every query and mutation of the contract', async () => {
    const served = await timelineSchema();
    for (const root of ['Query', 'Mutation'] as const) {
      const wanted = Object.keys((contract.getType(root) as GraphQLObjectType).getFields());
      const has = Object.keys((served.getType(root) as GraphQLObjectType).getFields());
      expect(has).toEqual(expect.arrayContaining(wanted));
    }
  });
});
