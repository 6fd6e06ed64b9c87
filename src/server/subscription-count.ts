import type { ExecutionArgs, ExecutionResult } from 'graphql';

type Subscribe = (args: ExecutionArgs) => Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;

/** How many subscriptions are open on this process: for operators (serverStatus, /metrics). */
export interface SubscriptionCount {
  open(): number;
  /** The same subscribe, counting each stream from its start until it ends or its client leaves. */
  counting(subscribe: Subscribe): Subscribe;
}

export const createSubscriptionCount = (): SubscriptionCount => {
  let open = 0;
  return {
    open: () => open,
    counting: (subscribe) => async (args) => {
      const result = await subscribe(args);
      if (!(Symbol.asyncIterator in result)) return result;
      open += 1;
      let ended = false;
      const end = () => {
        if (!ended) {
          ended = true;
          open -= 1;
        }
      };
      const counted: AsyncGenerator<ExecutionResult> = {
        next: async (...values) => {
          const next = await result.next(...values);
          if (next.done) end();
          return next;
        },
        return: async (value) => {
          end();
          return result.return(value);
        },
        throw: async (error) => {
          end();
          return result.throw(error);
        },
        [Symbol.asyncIterator]: () => counted,
        [Symbol.asyncDispose]: async () => {
          await counted.return(undefined);
        },
      };
      return counted;
    },
  };
};
