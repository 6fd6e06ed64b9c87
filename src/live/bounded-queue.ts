/**
 * A subscriber's buffer of live events: pushes never block the one who pushes (the projector, shared by every
 * subscriber), and the buffer never grows past its limit. Past it, the queue drops what it holds and reports
 * the overflow to its reader, who is too slow to be kept.
 */
export interface BoundedQueue<T> {
  /** False when the queue overflowed (now or before): the item is not kept. */
  push(item: T): boolean;
  /** The next item; 'overflow' once the limit was passed; 'closed' after close(). */
  take(): Promise<T | 'overflow' | 'closed'>;
  close(): void;
  readonly size: number;
}

export const createBoundedQueue = <T>(limit: number): BoundedQueue<T> => {
  let items: T[] = [];
  let head = 0;
  let state: 'open' | 'overflow' | 'closed' = 'open';
  let waiting: ((value: T | 'overflow' | 'closed') => void) | null = null;

  const settle = (value: T | 'overflow' | 'closed') => {
    const resolve = waiting;
    waiting = null;
    resolve?.(value);
  };

  return {
    push(item) {
      if (state !== 'open') return false;
      if (waiting) {
        settle(item);
        return true;
      }
      if (items.length - head >= limit) {
        state = 'overflow';
        items = [];
        head = 0;
        return false;
      }
      items.push(item);
      return true;
    },
    take() {
      if (head < items.length) {
        const item = items[head++]!;
        // Compact now and then rather than shift() on every take.
        if (head > 1024 && head * 2 > items.length) {
          items = items.slice(head);
          head = 0;
        }
        return Promise.resolve(item);
      }
      if (state !== 'open') return Promise.resolve(state);
      return new Promise((resolve) => (waiting = resolve));
    },
    close() {
      if (state === 'open') state = 'closed';
      items = [];
      head = 0;
      settle('closed');
    },
    get size() {
      return items.length - head;
    },
  };
};
