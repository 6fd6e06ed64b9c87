import { isAfter, type LogPosition, type TimelineEvent } from '../../events/index.js';
import { createCachedReader } from '../read-store/cached-reader.js';
import type { ReadModelStore } from '../read-store/read-model-store.js';
import type { EventStore } from '../store/event-store.js';
import { createProjection } from './projection.js';
import type { SnapshotPolicyOptions } from './snapshot-policy.js';

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
 * Events per batch of a rebuild, ten times the live projector's: a batch dirties a page of every index it touches,
 * and each commit writes those pages out again, so fewer, larger batches write far less (the snapshot policy leaves
 * one snapshot every interval within a batch all the same). 100,000 developments rebuilt into SQLite in 24.5 s at
 * 4,000 a batch against 34.8 s at 500.
 */
const REBUILD_PAGE = 4_000;

/**
 * Projects the log after `target`'s checkpoint into it, page by page through the same projection the live
 * projector runs, up to `until` (or the end). Returns the events applied.
 */
export const projectLog = async (
  log: EventStore,
  target: ReadModelStore,
  options: RebuildOptions = {},
): Promise<number> => {
  const reads = createCachedReader(target, options.cacheBytes ?? 64 * 1024 * 1024);
  const projection = createProjection({ ...options, reads, writer: target });
  let after: LogPosition | null = (await target.checkpoint())?.position ?? null;
  let applied = 0;
  for (;;) {
    if (options.until === null) return applied;
    const page = (await log.readAll({ after, maxCount: options.pageSize ?? REBUILD_PAGE })) as TimelineEvent[];
    const until = options.until;
    const taken = until ? page.filter((event) => !isAfter(event.position, until)) : page;
    if (taken.length > 0) {
      await projection.apply(taken);
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
