import type Database from 'better-sqlite3';

/** How often waiting subscriptions look for commits made by other connections (other processes). */
const POLL_INTERVAL_MS = 25;

/**
 * What the log looked like to this process just before a read: if anything changes after it, a wait that starts
 * from it returns at once, so a commit that lands between a read and the start of a wait is never missed.
 */
interface ChangeMark {
  /** PRAGMA data_version: changes when another connection commits. */
  readonly dataVersion: bigint;
  /** Counts this store's own commits, which data_version does not see. */
  readonly localCommits: number;
}

export interface ChangeNotifier {
  mark(): ChangeMark;
  /** Resolves once the log may have changed since `since`, or when `signal` aborts. */
  waitForChange(since: ChangeMark, signal: AbortSignal): Promise<void>;
  /** Called after each commit of this store instance. */
  notifyCommitted(): void;
  /** Looks for other connections' commits now rather than at the next poll. */
  checkNow(): void;
  /** Whether the data_version timer runs; it only does while a wait is pending. */
  isPolling(): boolean;
  close(): void;
}

interface Waiter {
  readonly since: ChangeMark;
  readonly wake: () => void;
}

export const createChangeNotifier = (db: Database.Database): ChangeNotifier => {
  const dataVersionStatement = db.prepare<[], bigint>('PRAGMA data_version').pluck().safeIntegers(true);
  const waiters = new Set<Waiter>();
  let localCommits = 0;
  let timer: NodeJS.Timeout | undefined;

  const dataVersion = (): bigint => dataVersionStatement.get() as bigint;
  const mark = (): ChangeMark => ({ dataVersion: dataVersion(), localCommits });
  const hasChanged = (since: ChangeMark, now: ChangeMark): boolean =>
    now.localCommits !== since.localCommits || now.dataVersion !== since.dataVersion;

  const stopPollingWhenIdle = (): void => {
    if (waiters.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const wakeChanged = (): void => {
    const now = mark();
    for (const waiter of waiters) if (hasChanged(waiter.since, now)) waiter.wake();
  };

  const startPolling = (): void => {
    if (timer !== undefined) return;
    timer = setInterval(() => {
      try {
        wakeChanged();
      } catch {
        // The database went away under a waiter: wake everybody, their next read reports the error.
        for (const waiter of waiters) waiter.wake();
      }
    }, POLL_INTERVAL_MS);
    // A waiting subscription must not keep the process alive on its own.
    timer.unref();
  };

  const waitForChange = (since: ChangeMark, signal: AbortSignal): Promise<void> =>
    new Promise<void>((resolve) => {
      if (signal.aborted || hasChanged(since, mark())) return resolve();
      const waiter: Waiter = {
        since,
        wake: () => {
          waiters.delete(waiter);
          signal.removeEventListener('abort', waiter.wake);
          stopPollingWhenIdle();
          resolve();
        },
      };
      waiters.add(waiter);
      signal.addEventListener('abort', waiter.wake, { once: true });
      startPolling();
    });

  return {
    mark,
    waitForChange,
    notifyCommitted: () => {
      localCommits++;
      for (const waiter of waiters) waiter.wake();
    },
    checkNow: () => {
      if (waiters.size > 0) wakeChanged();
    },
    isPolling: () => timer !== undefined,
    close: () => {
      for (const waiter of waiters) waiter.wake();
      stopPollingWhenIdle();
    },
  };
};
