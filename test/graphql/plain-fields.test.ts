import { isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { timelineSchema } from '../../src/graphql/schema.js';

// A field that is a plain property of what its resolver returned must have no resolver of its own: graphql-jit then
// reads it inline, and graphql-js takes its default resolver, where type-graphql's wrapper cost an object, a
// resolve info and a call per field of every relation of a busy actor (docs/architecture.md, "Answering").
describe('plain fields', () => {
  it('carry a resolver only where a @FieldResolver, a query, a mutation or a subscription declares one', async () => {
    const schema = await timelineSchema();
    const declared = new Set(
      getMetadataStorage().fieldResolvers.map(
        (resolver) => `${resolver.getObjectType?.().name}.${resolver.schemaName}`,
      ),
    );
    const withResolver: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      if (['Query', 'Mutation', 'Subscription'].includes(type.name)) continue;
      for (const field of Object.values(type.getFields())) {
        if (field.resolve !== undefined) withResolver.push(`${type.name}.${field.name}`);
      }
    }
    expect(withResolver.length).toBeGreaterThan(10);
    expect(withResolver.filter((name) => !declared.has(name))).toEqual([]);
    // The fields a busy actor's answer repeats per relation are read as properties.
    const relation = schema.getType('Relation');
    if (!isObjectType(relation)) throw new Error('no Relation type');
    for (const name of ['other', 'developmentCount', 'tone', 'lastTone']) {
      expect(relation.getFields()[name]!.resolve, `Relation.${name}`).toBeUndefined();
    }
  });
});
