import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import { createCachedReader } from '../read-store/cached-reader.js';
import type { ReadModelStore } from '../read-store/read-model-store.js';
import type { EventStore } from '../store/event-store.js';
import { createProjection } from './projection.js';
import type { SnapshotPolicyOptions } from './snapshot-policy.js';
import { SNAPSHOT_EVERY } from '../time-travel/snapshots.js';

export interface RebuildOptions extends SnapshotPolicyOptions {
  /** Stop at this position (inclusive): the head as it was when a rebuild began, while a server goes on writing. */
  readonly until?: LogPosition | null;
  /** Told the number of events applied after each page. */
  readonly onPage?: (applied: number) => void;
  readonly pageSize?: number;
  /** The heap the fold may keep as a cache of what it wrote. */
  readonly cacheBytes?: number;
}

/**
 * Events per batch of a rebuild, eight times the live projector's: a batch dirties a page of every index it touches,
 * and each commit writes those pages out again, so fewer, larger batches write far less (100,000 developments
 * rebuilt into SQLite in 25 s at 4,000 a batch against 34 s at 500).
 */
const REBUILD_PAGE = 4_000;

/** The actors a development event names outright: a recording's participants, or those a correction sets. */
const namedBy = (event: TimelineEvent): readonly { readonly actorId: string }[] => {
  if (event.type === 'DevelopmentRecorded') return event.data.participants;
  if (event.type === 'DevelopmentCorrected') return event.data.patch.participants ?? [];
  return [];
};

/**
 * A page cut into batches where an actor's index would gain more than two snapshot intervals. A snapshot built
 * with a batch stands from the batch's last recording time, so a question known at a time inside the batch walks
 * from the one before: what one actor gains in a batch bounds that walk, whatever the page size (docs/architecture.md,
 * "Snapshots"). A history whose every development names one actor is cut every 512 events; the generator's, with
 * its busiest actor in a third of them, every 1,700 or so.
 */
const cutIntoBatches = (events: readonly TimelineEvent[], maxGain: number): TimelineEvent[][] => {
  const batches: TimelineEvent[][] = [];
  let batch: TimelineEvent[] = [];
  const gains = new Map<string, number>();
  for (const event of events) {
    const named = namedBy(event);
    if (batch.length > 0 && named.some(({ actorId }) => (gains.get(actorId) ?? 0) >= maxGain)) {
      batches.push(batch);
      batch = [];
      gains.clear();
    }
    batch.push(event);
    for (const { actorId } of named) gains.set(actorId, (gains.get(actorId) ?? 0) + 1);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
};

/**
 * Projects the log after `target`'s checkpoint into it, page by page through the same projection the live
 * projector runs, up to `until` (or the end). Returns the events applied.
 */
export const projectLog = async (
  log: EventStore,
  target: ReadModelStore,
  options: RebuildOptions = {},
): Promise<number> => {
  const reads = createCachedReader(target, options.cacheBytes ?? 64 * 1024 * 1024, { keepsReadSnapshotStates: true });
  const projection = createProjection({ ...options, reads, writer: target });
  let after: LogPosition | null = (await target.checkpoint())?.position ?? null;
  let applied = 0;
  for (;;) {
    if (options.until === null) return applied;
    const page = (await log.readAll({ after, maxCount: options.pageSize ?? REBUILD_PAGE })) as TimelineEvent[];
    const until = options.until;
    const taken = until ? page.filter((event) => !isAfter(event.position, until)) : page;
    if (taken.length > 0) {
      for (const batch of cutIntoBatches(taken, 2 * (options.snapshotEvery ?? SNAPSHOT_EVERY))) {
        await projection.apply(batch);
      }
      applied += taken.length;
      after = taken.at(-1)!.position;
      options.onPage?.(applied);
    }
    if (taken.length < page.length || page.length === 0) return applied;
  }
};

/**
 * The read models folded afresh from the log into `target` (emptied first): what the live read models must always
 * equal. Returns the events applied.
 */
export const rebuildReadModels = async (
  log: EventStore,
  target: ReadModelStore,
  options: RebuildOptions = {},
): Promise<number> => {
  await target.clear();
  return projectLog(log, target, options);
};
