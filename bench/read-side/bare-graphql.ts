import { buildSchema, execute, parse, validate, type ExecutionResult } from 'graphql';
import { ACTOR_QUERY, describeQuery, type Asked } from './actor-queries.js';
import { BenchVoid } from '../support/lifecycle.js';

/**
 * The bare graphql-js baseline of the as-of actor query: the same document executed by graphql-js (parsed and
 * validated once, as a document cache would) on a schema of the same shape whose resolvers are the default ones,
 * over the answer the server gave, already in memory, then stringified. What an answer of that size costs at least
 * to execute and serialize, with nothing to read or fold: a busy actor's relations make it large.
 */

const SHAPE = buildSchema(`
  type Query { actor(id: ID!, asOf: String, knownAt: String): Actor }
  type Actor {
    id: ID!
    roles: [Role!]!
    positions: [Position!]!
    relations: [Relation!]!
    developmentCount: Int!
    lastActiveAt: String
  }
  type Role { title: String! }
  type Position { stance: String! topic: Topic! }
  type Topic { id: ID! }
  type Relation { other: Actor! developmentCount: Int! tone: Float }
`);

const DOCUMENT = parse(
  ACTOR_QUERY.replace(/\$asOf: DateTime/, '$asOf: String').replace(/\$knownAt: DateTime/, '$knownAt: String'),
);
const invalid = validate(SHAPE, DOCUMENT);
if (invalid.length > 0) throw new Error(`the bare baseline's document does not fit its schema: ${invalid[0]!.message}`);

/** Milliseconds per answer (the least of three), in the order asked; `warmUp` answers go first, untimed. */
export const bareGraphQLTimes = (asked: readonly Asked[], warmUp: readonly Asked[] = []): number[] => {
  const run = (entry: Asked, expected: string): number => {
    const started = performance.now();
    const result = execute({
      schema: SHAPE,
      document: DOCUMENT,
      rootValue: { actor: () => entry.answer },
      variableValues: { id: entry.query.id },
    });
    // Default resolvers over plain data: graphql-js answers at once, never with a promise.
    if ('then' in result) throw new Error('bare graphql-js answered with a promise');
    const text = JSON.stringify(result satisfies ExecutionResult);
    const elapsedMs = performance.now() - started;
    if (text !== expected) {
      throw new BenchVoid(
        `bare graphql-js gave another answer for ${describeQuery(entry.query)}: ${text.slice(0, 300)}`,
      );
    }
    return elapsedMs;
  };
  const expectedOf = (entry: Asked) => JSON.stringify({ data: { actor: entry.answer } });
  for (const entry of warmUp) run(entry, expectedOf(entry));
  // The least of three: a floor, not a sample of this process's own collections (it holds every answer).
  return asked.map((entry) => {
    const expected = expectedOf(entry);
    return Math.min(run(entry, expected), run(entry, expected), run(entry, expected));
  });
};
