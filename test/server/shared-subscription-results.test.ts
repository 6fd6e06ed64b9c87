import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { TimelineError } from '../../src/application/errors.js';
import { sharingSubscribe } from '../../src/server/shared-subscription-results.js';

interface TestTick {
  readonly key: string | null;
  readonly n: number;
  /** Thrown when the tick is resolved. */
  readonly fails?: Error;
}

/** A schema whose one subscription yields the given ticks and counts how often its selection is resolved. */
const counting = (ticks: readonly TestTick[]) => {
  let resolved = 0;
  let taken = 0;
  let returned = false;
  const Tick = new GraphQLObjectType({
    name: 'Tick',
    fields: {
      n: {
        type: GraphQLInt,
        resolve: (tick: TestTick) => {
          resolved++;
          if (tick.fails) throw tick.fails;
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
            try {
              for (const tick of ticks) {
                taken++;
                yield tick;
              }
            } finally {
              returned = true;
            }
          },
          resolve: (tick: unknown) => tick,
        },
      },
    }),
  });
  return { schema, resolved: () => resolved, taken: () => taken, returned: () => returned };
};

const drain = async (results: AsyncGenerator<ExecutionResult> | ExecutionResult): Promise<unknown[]> => {
  const out: unknown[] = [];
  for await (const result of results as AsyncGenerator<ExecutionResult>) out.push(result.data);
  return out;
};

const keyOf = (payload: unknown) => (payload as { key: string | null }).key;

const subscribeAll = async (schema: GraphQLSchema) => {
  const out: ExecutionResult<{ ticks: { n: number } | null }>[] = [];
  const results = await sharingSubscribe(keyOf)({ schema, document: parse('subscription { ticks { n } }') });
  for await (const result of results as AsyncGenerator<ExecutionResult>) out.push(result as (typeof out)[number]);
  return out;
};

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

  it('ends a feed with a tick the server failed to serve, so that the client resumes rather than skips it', async () => {
    const { schema, taken, returned } = counting([
      { key: 'a', n: 1 },
      { key: 'b', n: 2, fails: new Error('MaxRetriesPerRequestError: Reached the max retries per request limit') },
      { key: 'c', n: 3 },
    ]);
    const results = await subscribeAll(schema);
    expect(results.map((result) => [result.data?.ticks ?? null, result.errors?.length ?? 0])).toEqual([
      [{ n: 1 }, 0],
      [{ n: null }, 1],
    ]);
    expect(taken()).toBe(2);
    expect(returned()).toBe(true);
  });

  it('goes on after a refusal, which the next tick may not meet', async () => {
    const { schema } = counting([
      { key: 'a', n: 1, fails: new TimelineError('NOT_FOUND', 'actor "x" is not registered') },
      { key: 'b', n: 2 },
    ]);
    const results = await subscribeAll(schema);
    expect(results.map((result) => result.data?.ticks ?? null)).toEqual([{ n: null }, { n: 2 }]);
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
