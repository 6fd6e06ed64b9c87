import type { ChainableCommander, Redis } from 'ioredis';
import { decodeCheckpoint } from '../../src/projections/shared/checkpoint-record.js';
import { queueBatchWrites, touchedBy } from '../../src/projections/shared/batch-writes.js';
import { decodeRecord } from '../../src/read-store/record-codec.js';
import type { ReadModelKeys } from '../../src/projections/shared/read-model-keys.js';
import { encodeSnapshotRecord } from '../../src/projections/shared/snapshot-records.js';
import { createTimelineReadModel, type ReadModelOptions } from '../../src/projections/timeline-read-model.js';
import type { EventStore } from '../../src/store/event-store.js';
import type { TimelineEvent } from '../../events/index.js';

/** What the shared read models hold, as plain data to compare: token-free, decoded, sorted. */
export interface SharedContent {
  readonly checkpoint: { position: unknown; recordedAtMs: number; snapshots: number } | null;
  readonly latest: Record<string, [string, unknown][]>;
  readonly indexes: [string, [string, number][]][];
  readonly snapshots: unknown[];
}

const LATEST_KINDS = ['actor', 'topic', 'development', 'meeting'] as const;

const sortedEntries = (record: Record<string, string>): [string, unknown][] =>
  Object.entries(record)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, text]) => [id, decodeRecord(text)]);

export const scanKeys = async (redis: Redis, pattern: string): Promise<string[]> => {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
};

export const deleteKeys = async (redis: Redis, pattern: string): Promise<void> => {
  const keys = await scanKeys(redis, pattern);
  if (keys.length > 0) await redis.del(...keys);
};

/** Reads a version's shared read models out of Redis. */
export const readSharedContent = async (redis: Redis, keys: ReadModelKeys): Promise<SharedContent> => {
  const checkpointText = await redis.get(keys.checkpoint);
  const latest: Record<string, [string, unknown][]> = {};
  for (const kind of LATEST_KINDS) latest[kind] = sortedEntries(await redis.hgetall(keys.latest(kind)));
  const indexes: [string, [string, number][]][] = [];
  const indexKey = keys.index('actor', '*').replace(/actor:\*$/, '*');
  for (const key of await scanKeys(redis, indexKey)) {
    const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
    const members: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) members.push([flat[i]!, Number(flat[i + 1])]);
    indexes.push([key, members.sort(([a], [b]) => (a < b ? -1 : 1))]);
  }
  const snapshots = (await redis.lrange(keys.snapshots, 0, -1)).map((text) => decodeRecord(text));
  let checkpoint: SharedContent['checkpoint'] = null;
  if (checkpointText) {
    const { position, recordedAtMs, snapshots: count } = decodeCheckpoint(checkpointText);
    checkpoint = { position, recordedAtMs, snapshots: count };
  }
  return { checkpoint, latest, indexes, snapshots };
};

/** A stand-in for a Redis transaction that keeps what it is told in maps, shaped as Redis would hold it. */
const recorder = () => {
  const hashes = new Map<string, Map<string, string>>();
  const zsets = new Map<string, Map<string, number>>();
  const lists = new Map<string, string[]>();
  const strings = new Map<string, string>();
  const multi = {
    hset: (key: string, ...pairs: string[]) => {
      if (!hashes.has(key)) hashes.set(key, new Map());
      for (let i = 0; i < pairs.length; i += 2) hashes.get(key)!.set(pairs[i]!, pairs[i + 1]!);
      return multi;
    },
    zadd: (key: string, ...pairs: (string | number)[]) => {
      if (!zsets.has(key)) zsets.set(key, new Map());
      for (let i = 0; i < pairs.length; i += 2) zsets.get(key)!.set(String(pairs[i + 1]), Number(pairs[i]));
      return multi;
    },
    rpush: (key: string, ...values: string[]) => {
      if (!lists.has(key)) lists.set(key, []);
      lists.get(key)!.push(...values);
      return multi;
    },
    set: (key: string, value: string) => {
      strings.set(key, value);
      return multi;
    },
    publish: () => multi,
  };
  return { multi: multi as unknown as ChainableCommander, hashes, zsets, lists, strings };
};

/**
 * What the shared read models must hold for the log as it is: the whole log folded from scratch in one process
 * and written as one batch. Whatever batches, leaders and failovers wrote them, they must end equal to this.
 */
export const expectedSharedContent = async (
  store: EventStore,
  keys: ReadModelKeys,
  options: ReadModelOptions = {},
): Promise<SharedContent> => {
  const model = createTimelineReadModel(options);
  const events: TimelineEvent[] = [];
  const records: string[] = [];
  for (;;) {
    const page = await store.readAll({ after: model.checkpoint, maxCount: 1000 });
    if (page.length === 0) break;
    for (const recorded of page) {
      const event = recorded as TimelineEvent;
      model.apply(event, {
        onSnapshot: (actorId, snapshot) => records.push(encodeSnapshotRecord(event.position, actorId, snapshot)),
      });
      events.push(event);
    }
  }
  const last = events.at(-1);
  const written = recorder();
  if (last) {
    const checkpoint = {
      position: last.position,
      recordedAtMs: last.recordedAt.getTime(),
      token: 0,
      snapshots: records.length,
    };
    queueBatchWrites(written.multi, keys, model, touchedBy(events), records, checkpoint);
  }
  const latest: Record<string, [string, unknown][]> = {};
  for (const kind of LATEST_KINDS) {
    latest[kind] = sortedEntries(Object.fromEntries(written.hashes.get(keys.latest(kind)) ?? []));
  }
  const indexes = [...written.zsets.entries()]
    .map(([key, members]): [string, [string, number][]] => [key, [...members].sort(([a], [b]) => (a < b ? -1 : 1))])
    .sort(([a], [b]) => (a < b ? -1 : 1));
  const checkpointText = written.strings.get(keys.checkpoint);
  let checkpoint: SharedContent['checkpoint'] = null;
  if (checkpointText) {
    const { position, recordedAtMs, snapshots: count } = decodeCheckpoint(checkpointText);
    checkpoint = { position, recordedAtMs, snapshots: count };
  }
  return { checkpoint, latest, indexes, snapshots: records.map((text) => decodeRecord(text)) };
};
