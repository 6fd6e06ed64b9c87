import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { CachedReader } from '../read-store/cached-reader.js';
import { CheckpointConflictError, type ReadModelReader, type ReadModelWriter } from '../read-store/read-model-store.js';
import { adoptCommitted } from './adopt-committed.js';
import type { EventStore } from '../store/event-store.js';
import { createAppliedProgress, type AppliedListener } from './applied-progress.js';
import { createProjection } from './projection.js';
import type { SnapshotPolicyOptions } from './snapshot-policy.js';

export { ProjectionTimeoutError } from './applied-progress.js';

/** What the API reads and waits on, whoever feeds the read models (this process, or an elected projector). */
export interface Projector {
  /** The read models, through this process's cache. */
  readonly reads: CachedReader;
  /** The last event the read models hold (as far as this process has seen). */
  readonly checkpoint: LogPosition | null;
  /** Resolves once the read models hold the event at `position` (at once for null or a position passed). */
  waitFor(position: LogPosition | null, timeoutMs?: number): Promise<void>;
  /** Resolves once the read models have caught up with the log's head as it is now. */
  catchUp(timeoutMs?: number): Promise<void>;
  /** True when the read models are as current as they can be: nothing in the log (or the shared checkpoint) is missing. */
  isCaughtUp(): Promise<boolean>;
  /**
   * Calls `listener` with every event right after the read models took it, synchronously, so that a listener that
   * reads `checkpoint` and then registers misses nothing and sees nothing twice. Returns the unsubscribe.
   */
  onApplied(listener: AppliedListener): () => void;
  /** The error that stopped the projection, if any. */
  readonly failure: Error | null;
  stop(): Promise<void>;
}

export interface ProjectorOptions extends SnapshotPolicyOptions {
  readonly log: EventStore;
  readonly reads: CachedReader;
  readonly writer: ReadModelReader & ReadModelWriter;
  /** The most events one batch commits. */
  readonly batchSize?: number;
}

/**
 * Reads the log after what a store of events and a batch-taking step share: a pump that buffers the log's events (a
 * few batches ahead at most: the log can be far longer than memory) and hands them out a batch at a time.
 */
export const pumpLog = (log: EventStore, after: LogPosition | null, batchSize: number) => {
  const subscription = log.subscribeToAll({ after: after ?? 'start' });
  const buffer: TimelineEvent[] = [];
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  let drained: (() => void) | null = null;
  let finished = false;
  const ring = () => {
    wake?.();
    wake = null;
  };
  const running = (async () => {
    try {
      for await (const event of subscription) {
        buffer.push(event as TimelineEvent);
        ring();
        while (buffer.length >= batchSize * 4 && !finished) await new Promise<void>((resolve) => (drained = resolve));
      }
    } catch (error) {
      failure = error;
    } finally {
      finished = true;
      ring();
    }
  })();
  return {
    /** The next batch, or null once the subscription ended. */
    next: async (): Promise<TimelineEvent[] | null> => {
      while (buffer.length === 0) {
        if (failure) throw failure;
        if (finished) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const batch = buffer.splice(0, batchSize);
      drained?.();
      drained = null;
      return batch;
    },
    close: async () => {
      finished = true;
      drained?.();
      ring();
      await subscription.close();
      await running;
    },
  };
};

/**
 * Keeps the read models current from one process (the embedded default): a catch-up subscription from the store's
 * checkpoint feeds every new event through the one projection, a batch at a time. Writers wait for their append's
 * position, so that a mutation's answer already shows what it wrote. Starting holds nothing but the checkpoint: a
 * store already projected is ready at once.
 *
 * Several processes may share one data directory: each projects what it reads of the log, the first to commit a
 * batch wins (the store refuses a batch that does not follow its checkpoint), and the others take what it committed
 * as a follower does, and go on after it.
 */
export const startProjector = async (options: ProjectorOptions): Promise<Projector> => {
  const { log, reads } = options;
  let checkpoint = (await reads.checkpoint())?.position ?? null;
  const progress = createAppliedProgress(() => checkpoint);
  const projection = createProjection({ ...options, reads, writer: options.writer });
  const pump = pumpLog(log, checkpoint, options.batchSize ?? 500);

  const running = (async () => {
    try {
      for (let batch = await pump.next(); batch !== null; batch = await pump.next()) {
        let pending = batch;
        while (pending.length > 0) {
          const committed = (await options.writer.checkpoint())?.position ?? null;
          const theirs = pending.filter((event) => !isAfter(event.position, committed));
          if (theirs.length > 0) {
            const changes = await adoptCommitted(options.writer, reads, theirs);
            projection.reset();
            for (const event of theirs) {
              checkpoint = event.position;
              progress.applied(event, changes.get(event));
            }
            pending = pending.slice(theirs.length);
            continue;
          }
          try {
            const projected = await projection.apply(pending);
            checkpoint = projected.batch.checkpoint.position;
            for (const event of pending) progress.applied(event, projected.changes.get(event));
            pending = [];
          } catch (error) {
            // Another process committed first: take what it did, and project what is left.
            if (!(error instanceof CheckpointConflictError)) throw error;
          }
        }
      }
    } catch (error) {
      progress.fail(error);
    }
  })();

  return {
    reads,
    get checkpoint() {
      return checkpoint;
    },
    waitFor: progress.waitFor,
    catchUp: async (timeoutMs) => progress.waitFor(await log.headPosition(), timeoutMs),
    isCaughtUp: async () => {
      const head = await log.headPosition();
      return progress.failure === null && (head === null || !isAfter(head, checkpoint));
    },
    onApplied: progress.onApplied,
    get failure() {
      return progress.failure;
    },
    stop: async () => {
      await pump.close();
      await running;
    },
  };
};
