import type { LogPosition, RecordedEvent } from '../../../events/envelope.js';
import type { LogSubscription, SubscribeOptions } from '../event-store.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { ReadHeadPosition } from './head-position.js';
import type { ReadAllPage } from './read-all.js';

/** The most a subscription reads ahead of its consumer. */
export const SUBSCRIPTION_PAGE_SIZE = 500;

export interface SubscriptionSources {
  readonly readPage: ReadAllPage;
  readonly readHead: ReadHeadPosition;
  readonly notifier: ChangeNotifier;
  /** Waits until the log may be read (no write batch of someone else open). */
  readonly beforeRead?: () => Promise<void>;
  readonly pageSize?: number;
}

export interface Subscriptions {
  subscribeToAll(options: SubscribeOptions): LogSubscription;
  /** Ends every open subscription, before the database they read goes away. */
  closeAll(): Promise<void>;
}

type Subscription = LogSubscription & AsyncIterableIterator<RecordedEvent>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A catch-up subscription is nothing but a reader that remembers the last position it delivered: it reads the page
 * after it, and when there is none, waits for a commit and reads again. Replay and live are the same loop, so there
 * is no hand-over where an event could be lost or delivered twice.
 */
const openSubscription = (
  { readPage, notifier, beforeRead, pageSize = SUBSCRIPTION_PAGE_SIZE }: SubscriptionSources,
  start: LogPosition | null,
  forget: (subscription: Subscription) => void,
): Subscription => {
  const stop = new AbortController();
  let lastDelivered = start;
  let page: RecordedEvent[] = [];
  let nextInPage = 0;
  // for-await never overlaps next() calls, but a hand-written consumer may: each pull waits for the one before.
  let previousPull: Promise<unknown> = Promise.resolve();

  const pull = async (): Promise<IteratorResult<RecordedEvent>> => {
    while (!stop.signal.aborted) {
      const event = page[nextInPage];
      if (event !== undefined) {
        nextInPage++;
        lastDelivered = event.position;
        return { done: false, value: event };
      }
      // The mark comes before the read: whatever commits after the read changes it, and the wait returns at once.
      await beforeRead?.();
      if (stop.signal.aborted) break;
      const since = notifier.mark();
      page = readPage(lastDelivered, pageSize);
      nextInPage = 0;
      if (page.length === 0) await notifier.waitForChange(since, stop.signal);
    }
    return DONE;
  };

  const subscription: Subscription = {
    next: () => {
      const result = previousPull.then(pull).catch(async (error: unknown) => {
        await subscription.close();
        throw error;
      });
      previousPull = result.catch(() => undefined);
      return result;
    },
    return: async () => {
      await subscription.close();
      return DONE;
    },
    close: async () => {
      if (stop.signal.aborted) return;
      stop.abort();
      page = [];
      forget(subscription);
    },
    [Symbol.asyncIterator]: () => subscription,
  };
  return subscription;
};

export const createSubscriptions = (sources: SubscriptionSources): Subscriptions => {
  const open = new Set<Subscription>();
  return {
    subscribeToAll: ({ after }) => {
      const start = after === 'start' ? null : after === 'end' ? sources.readHead() : after;
      const subscription = openSubscription(sources, start, (closed) => open.delete(closed));
      open.add(subscription);
      return subscription;
    },
    closeAll: async () => {
      await Promise.all([...open].map((subscription) => subscription.close()));
    },
  };
};
