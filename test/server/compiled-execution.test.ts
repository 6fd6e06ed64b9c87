import { GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type DocumentNode } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { createCompiledExecution } from '../../src/server/compiled-execution.js';

/**
 * Where graphql-jit and graphql-js differ, the compiled execution answers as graphql-js does: a default value of a
 * custom scalar reaches the resolver parsed, and a resolver that throws something other than a GraphQLError gives
 * an error with `extensions`, which Apollo needs to format it (and our formatError to log it).
 */

class Outage extends Error {}

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      at: {
        type: GraphQLString,
        args: { when: { type: DateTimeResolver } },
        // Throws unless the scalar parsed the value into a Date.
        resolve: (_source, { when }: { when: Date }) => when.toISOString(),
      },
      outage: {
        type: GraphQLString,
        resolve: () => {
          throw new Outage('the store does not answer');
        },
      },
    },
  }),
});

const runThrice = async (document: DocumentNode, variables: Record<string, unknown> = {}) => {
  const execute = createCompiledExecution(schema);
  const results = [];
  for (const _ of [1, 2, 3]) {
    results.push(await execute({ document, operationName: null, operationType: 'query', contextValue: {}, variables }));
  }
  return results;
};

describe('compiled execution where graphql-jit differs from graphql-js', () => {
  it('gives a resolver the parsed default of a DateTime variable, compiled or not', async () => {
    const document = parse('query ($when: DateTime = "2025-10-16T12:00:00Z") { at(when: $when) }');
    for (const result of await runThrice(document)) {
      expect(result).toEqual({ data: { at: '2025-10-16T12:00:00.000Z' } });
    }
    // The same document given the variable still runs compiled from its second use, and answers alike.
    for (const result of await runThrice(parse('query ($when: DateTime) { at(when: $when) }'), {
      when: '2025-10-16T12:00:00Z',
    })) {
      expect(result).toEqual({ data: { at: '2025-10-16T12:00:00.000Z' } });
    }
  });

  it("gives a resolver's own error extensions and its original error, compiled or not", async () => {
    for (const result of await runThrice(parse('{ outage }'))) {
      expect(result.data).toEqual({ outage: null });
      const [error] = result.errors!;
      expect(error!.message).toBe('the store does not answer');
      expect(error!.extensions).toEqual({});
      expect(error!.originalError).toBeInstanceOf(Outage);
      expect(error!.path).toEqual(['outage']);
      expect(JSON.parse(JSON.stringify(error!.toJSON()))).toMatchObject({
        message: 'the store does not answer',
        path: ['outage'],
        locations: [{ line: 1, column: 3 }],
      });
    }
  });
});
