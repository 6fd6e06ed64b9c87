import type { LogPosition } from '../../../events/envelope.js';
import { CheckpointConflictError, type ReadModelBatch } from '../read-model-store.js';
import { sendAll, type RedisConnection, type Routed } from './connection.js';
import { worldShardOf, type ReadStoreKeys } from './redis-read-keys.js';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  encodeIndexMember,
  encodePositionKey,
  encodeSnapshotMeta,
  encodeVersionRecord,
  scoreText,
  snapshotField,
  checkpointPositionKey,
} from './redis-records.js';
import { queueScript, runScript } from './scripts.js';
import { encodeSnapshotState } from '../snapshot-codec.js';

/**
 * How a batch becomes visible in Redis without a transaction across slots: every record carries the position of
 * the event that caused it, the records are written first (any order, any node), and the checkpoint last, by one
 * script in the meta slot; readers take nothing stamped after the checkpoint they read first. A batch whose
 * checkpoint is never written (its projector died, or was deposed and fenced out) stays invisible, and the records
 * it left are those the next projector writes again, equal, since the log determines them: writing a record twice
 * gives the same member, field or version.
 */

/** Leadership of the projector (leader-lease.ts): the checkpoint is written only while `token` is the lease's term. */
export interface ReadStoreFence {
  /** `{<prefix>:rm:v<N>}:lease` (readStoreLeaseKey): its `:holder` holds `<holderId>:<token>`. */
  readonly leaseKey: string;
  /** The term this process holds, null while it does not lead. */
  readonly token: () => number | null;
}

/** The batch's checkpoint was not written: the lease is not (or no longer) this projector's term. */
export class FencedOutError extends Error {
  constructor(leaseKey: string, token: number | null, holder: string | null, attempted: LogPosition) {
    super(
      token === null
        ? `the projector holds no term of the lease ${leaseKey}: a batch up to ${attempted.commit} cannot be committed`
        : `the lease ${leaseKey} is no longer held by term ${token} (its holder: ${holder || 'none'}): this projector ` +
            `was deposed, and its batch up to ${attempted.commit} is not committed`,
    );
    this.name = 'FencedOutError';
  }
}

const group = <T>(map: Map<string, T[]>, key: string, item: T) => {
  const items = map.get(key);
  if (items) items.push(item);
  else map.set(key, [item]);
};

/** The index key an entry goes to: the entity's, or the world index's month shard. */
const indexKeyOf = (keys: ReadStoreKeys, index: ReadModelBatch['entries'][number]['index'], occurredAtMs: number) =>
  index.kind === 'world' ? keys.worldShard(worldShardOf(occurredAtMs).label) : keys.index(index);

/**
 * The pages of an index (scripts/add-entries.ts): how many entries one holds at most, and the longest member it
 * keeps whole (a longer one's share is kept beside the page). Redis keeps a sorted set packed in one allocation up to
 * zset-max-listpack-entries members of at most zset-max-listpack-value bytes: these are its defaults. A server
 * configured with other limits wants the store told them (RedisReadStoreOptions.pages); pages change where entries
 * are kept, never what a reader finds.
 */
export interface PageLimits {
  readonly entries: number;
  readonly memberBytes: number;
}

export const PAGE_LIMITS: PageLimits = { entries: 128, memberBytes: 64 };

/** The commands that write a batch's records (everything but what the checkpoint script writes), in one round. */
const recordCommands = (keys: ReadStoreKeys, batch: ReadModelBatch, pages: PageLimits): Routed[] => {
  const commands: Routed[] = [];

  const versions = new Map<string, { position: string; record: string }[]>();
  for (const { kind, id, version } of batch.versions) {
    group(versions, keys.versions(kind, id), {
      position: encodePositionKey(version.position),
      record: encodeVersionRecord(id, version),
    });
  }
  for (const [key, list] of versions) {
    list.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    const args = list.flatMap(({ position, record }) => [position, record]);
    commands.push({ key, queue: (pipeline) => queueScript(pipeline, 'rsVersions', [key], args) });
  }

  const entries = new Map<string, string[]>();
  // An actor's changes are also listed by month (the script's second key, in the actor's slot).
  const alsoByBucket = new Map<string, string>();
  for (const { index, entry } of batch.entries) {
    const key = indexKeyOf(keys, index, entry.occurredAtMs);
    group(entries, key, scoreText(entry.occurredAtMs));
    group(entries, key, encodeIndexMember(entry));
    if (index.kind === 'changes') alsoByBucket.set(key, keys.changesByBucket(index.id));
  }
  for (const [key, args] of entries) {
    const byBucket = alsoByBucket.get(key);
    commands.push({
      key,
      queue: (pipeline) =>
        queueScript(pipeline, 'rsAddEntries', byBucket ? [key, byBucket] : [key], [
          pages.entries,
          pages.memberBytes,
          ...args,
        ]),
    });
  }

  // A snapshot's state before its meta: a meta is what readers find a snapshot by.
  for (const snapshot of batch.snapshots) {
    const { state, ...meta } = snapshot;
    const field = snapshotField(meta);
    const states = keys.snapshotStates(meta.actorId);
    const metas = keys.snapshotMetas(meta.actorId);
    const encodedState = encodeSnapshotState(state);
    const encodedMeta = encodeSnapshotMeta(meta);
    commands.push({ key: states, queue: (pipeline) => pipeline.hset(states, field, encodedState) });
    commands.push({ key: metas, queue: (pipeline) => pipeline.hset(metas, field, encodedMeta) });
  }
  return commands;
};

/** Writes a batch's records without its checkpoint: invisible until a checkpoint at or after them is committed. */
export const writeRecords = async (
  connection: RedisConnection,
  keys: ReadStoreKeys,
  batch: ReadModelBatch,
  pages = PAGE_LIMITS,
) => {
  await sendAll(connection, recordCommands(keys, batch, pages));
};

const tokenOf = (fence: ReadStoreFence | null, batch: ReadModelBatch): string => {
  if (!fence) return '';
  const token = fence.token();
  if (token === null) throw new FencedOutError(fence.leaseKey, null, null, batch.checkpoint.position);
  return String(token);
};

/**
 * Writes the checkpoint, with what lives in the meta slot (the clock, the ids, the subtopics, the world's months),
 * in one script that refuses unless the committed checkpoint is before the batch's and, fenced, the lease is still
 * the token's term.
 */
export const writeCheckpoint = async (
  connection: RedisConnection,
  keys: ReadStoreKeys,
  batch: ReadModelBatch,
  fence: ReadStoreFence | null,
): Promise<void> => {
  const token = tokenOf(fence, batch);
  const ids = { actor: new Set<string>(), topic: new Set<string>(), meeting: new Set<string>() };
  for (const { kind, id } of batch.versions) if (kind !== 'development') ids[kind].add(id);
  const months = new Map<string, number>();
  for (const { index, entry } of batch.entries) {
    if (index.kind === 'meeting') ids.meeting.add(index.id);
    if (index.kind === 'world') {
      const { label, startMs } = worldShardOf(entry.occurredAtMs);
      months.set(label, startMs);
    }
  }
  const subtopics = new Map<string, Set<string>>();
  for (const { parentId, id } of batch.subtopics) {
    const children = subtopics.get(parentId) ?? new Set<string>();
    children.add(id);
    subtopics.set(parentId, children);
  }

  const section = (items: readonly string[]) => [String(items.length), ...items];
  const args = [
    encodePositionKey(batch.checkpoint.position),
    encodeCheckpoint(batch.checkpoint),
    token,
    ...section(
      batch.clock.flatMap(({ position, recordedAtMs }) => [String(recordedAtMs), encodePositionKey(position)]),
    ),
    ...section([...ids.actor]),
    ...section([...ids.topic]),
    ...section([...ids.meeting]),
    ...section([...months].flatMap(([label, startMs]) => [String(startMs), label])),
    ...[...subtopics.values()].flatMap((children) => section([...children])),
  ];
  const scriptKeys = [
    keys.checkpoint,
    fence ? `${fence.leaseKey}:holder` : keys.checkpoint,
    keys.clock,
    keys.ids('actor'),
    keys.ids('topic'),
    keys.ids('meeting'),
    keys.worldMonths,
    ...[...subtopics.keys()].map((parentId) => keys.subtopics(parentId)),
  ];
  const [outcome, detail] = (await runScript(connection, 'rsCheckpoint', scriptKeys, args)) as [number, string?];
  if (outcome === 1) {
    throw new CheckpointConflictError(decodeCheckpoint(detail!).position, batch.checkpoint.position);
  }
  if (outcome === 2) {
    throw new FencedOutError(fence!.leaseKey, Number(token), detail || null, batch.checkpoint.position);
  }
};

/**
 * Commits a batch: looks first whether it can (the checkpoint before it, the lease this term's), so that a refused
 * batch writes nothing at all, then the records, then the checkpoint, which looks again.
 */
export const commitBatch = async (
  connection: RedisConnection,
  keys: ReadStoreKeys,
  batch: ReadModelBatch,
  fence: ReadStoreFence | null,
  pages = PAGE_LIMITS,
): Promise<void> => {
  const token = tokenOf(fence, batch);
  const holderKey = fence ? `${fence.leaseKey}:holder` : keys.checkpoint;
  const [stored, holder] = (await sendAll(connection, [
    { key: keys.checkpoint, queue: (pipeline) => pipeline.get(keys.checkpoint) },
    { key: holderKey, queue: (pipeline) => pipeline.get(holderKey) },
  ])) as [string | null, string | null];
  const attempted = encodePositionKey(batch.checkpoint.position);
  if (stored !== null && checkpointPositionKey(stored) >= attempted) {
    throw new CheckpointConflictError(decodeCheckpoint(stored).position, batch.checkpoint.position);
  }
  if (fence && !holder?.endsWith(`:${token}`)) {
    throw new FencedOutError(fence.leaseKey, Number(token), holder, batch.checkpoint.position);
  }
  await writeRecords(connection, keys, batch, pages);
  await writeCheckpoint(connection, keys, batch, fence);
};
