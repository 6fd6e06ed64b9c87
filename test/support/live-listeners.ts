import type { InProcessServer } from './in-process-server.js';
import { waitUntil } from './live-fixtures.js';

/**
 * A live-only subscription (actorChanged, topicChanged, timelineChanges without a start) misses what is applied
 * before it attaches to the projector, and the protocol gives the client no sign of that moment. In-process, the
 * tests watch the projector's listeners instead of sleeping: a subscription is live once it attached.
 */
export interface ListenerWatch {
  /** How many listeners are attached now. */
  readonly active: () => number;
  /** How many ever attached: take it before subscribing, then wait for `attachedSince(mark, n)`. */
  readonly attachments: () => number;
  /** Resolves once `count` listeners attached after `mark`. */
  attachedSince(mark: number, count?: number, timeoutMs?: number): Promise<void>;
  /** Whether each listener that attached after `mark` is still attached, in the order they attached. */
  stillAttached(mark: number): boolean[];
}

const watches = new WeakMap<object, ListenerWatch>();

export const watchLiveListeners = (server: InProcessServer): ListenerWatch => {
  const projector = server.timeline.services.projector;
  const known = watches.get(projector);
  if (known) return known;
  let active = 0;
  const attached: boolean[] = [];
  const attach = projector.onApplied.bind(projector);
  projector.onApplied = (listener) => {
    const detach = attach(listener);
    const index = attached.push(true) - 1;
    active++;
    return () => {
      if (attached[index]) {
        attached[index] = false;
        active--;
      }
      return detach();
    };
  };
  const watch: ListenerWatch = {
    active: () => active,
    attachments: () => attached.length,
    attachedSince: (mark, count = 1, timeoutMs = 10_000) =>
      waitUntil(
        () => attached.length - mark >= count,
        `${count} live listeners to attach`,
        timeoutMs,
        () => `(${attached.length - mark} did)`,
      ),
    stillAttached: (mark) => attached.slice(mark),
  };
  watches.set(projector, watch);
  return watch;
};
