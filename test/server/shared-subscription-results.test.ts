import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sharingSubscribe } from '../../src/server/shared-subscription-results.js';

/** A schema whose one subscription yields the given ticks and counts how often its selection is resolved. */
const counting = (ticks: readonly { key: string | null; n: number }[]) => {
  let resolved = 0;
  const Tick = new GraphQLObjectType({
    name: 'Tick',
    fields: {
      n: {
        type: GraphQLInt,
        resolve: (tick: { n: number }) => {
          resolved++;
          return tick.n;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: Tick,
          args: { label: { type: GraphQLString } },
          subscribe: async function* () {
            for (const tick of ticks) yield tick;
          },
          resolve: (tick: unknown) => tick,
        },
      },
    }),
  });
  return { schema, resolved: () => resolved };
};

const drain = async (results: AsyncGenerator<ExecutionResult> | ExecutionResult): Promise<unknown[]> => {
  const out: unknown[] = [];
  for await (const result of results as AsyncGenerator<ExecutionResult>) out.push(result.data);
  return out;
};

const keyOf = (payload: unknown) => (payload as { key: string | null }).key;

describe('sharing subscription results', () => {
  const ticks = [
    { key: 'a', n: 1 },
    { key: 'b', n: 2 },
    { key: null, n: 3 },
  ];

  it('executes a keyed tick once for every subscriber with the same operation', async () => {
    const { schema, resolved } = counting(ticks);
    const subscribe = sharingSubscribe(keyOf);
    const document = parse('subscription { ticks { n } }');
    const first = await drain(await subscribe({ schema, document }));
    const second = await drain(await subscribe({ schema, document }));
    expect(first).toEqual([{ ticks: { n: 1 } }, { ticks: { n: 2 } }, { ticks: { n: 3 } }]);
    expect(second).toEqual(first);
    // a and b once each, the unkeyed tick for each subscriber
    expect(resolved()).toBe(4);
  });

  it('does not share between different variables, and not past its time to live', async () => {
    const { schema, resolved } = counting(ticks);
    const document = parse('subscription($label: String) { ticks(label: $label) { n } }');
    const shortLived = sharingSubscribe(keyOf, 0);
    await drain(await shortLived({ schema, document, variableValues: { label: 'x' } }));
    await drain(await shortLived({ schema, document, variableValues: { label: 'y' } }));
    expect(resolved()).toBe(6);
  });

  it('passes a leaving subscriber on to its source at once', async () => {
    let returned = false;
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
      subscription: new GraphQLObjectType({
        name: 'Subscription',
        fields: {
          never: {
            type: GraphQLString,
            subscribe: () => ({
              [Symbol.asyncIterator]() {
                return this;
              },
              next: () => new Promise<IteratorResult<string>>(() => undefined),
              return: async () => {
                returned = true;
                return { done: true as const, value: undefined };
              },
            }),
          },
        },
      }),
    });
    const results = (await sharingSubscribe(keyOf)({
      schema,
      document: parse('subscription { never }'),
    })) as AsyncGenerator<ExecutionResult>;
    void results.next();
    await results.return(undefined);
    expect(returned).toBe(true);
  });
});
