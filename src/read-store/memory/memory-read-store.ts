import { comparePositions, isAfter, type LogPosition } from '../../../events/envelope.js';
import {
  CheckpointConflictError,
  type EntriesQuery,
  type IndexEntry,
  type IndexRef,
  type ReadModelCheckpoint,
  type ReadModelStore,
  type SnapshotMeta,
  type StoredSnapshot,
  type StoredVersion,
  type VersionKind,
} from '../read-model-store.js';
import { encodeRecord } from '../record-codec.js';
import { comparePlaces, compareSnapshots, matchesCountQuery, matchesEntriesQuery, sameSnapshot } from '../places.js';

/**
 * The read-model store in the process's heap: the plainest reading of the port, which the conformance suite runs
 * beside the real adapters. Tests and one-off folds (the CLI's `--verify`) use it; a server never does, since
 * holding everything in the heap is what the port exists to avoid.
 */
export const createMemoryReadStore = (): ReadModelStore => {
  let checkpoint: ReadModelCheckpoint | null = null;
  let versions = new Map<string, StoredVersion[]>();
  let indexes = new Map<string, IndexEntry[]>();
  let snapshots = new Map<string, StoredSnapshot[]>();
  let subtopics = new Map<string, Set<string>>();
  let clock: ReadModelCheckpoint[] = [];

  const indexKey = ({ kind, id }: IndexRef) => `${kind}:${id}`;
  const stateOf = (meta: SnapshotMeta): unknown =>
    (snapshots.get(meta.actorId) ?? []).find((snapshot) => sameSnapshot(snapshot, meta))?.state;

  return {
    checkpoint: async () => checkpoint,

    versions: async (kind: VersionKind, ids: readonly string[]) => {
      const found = new Map<string, StoredVersion[]>();
      for (const id of ids) {
        const list = versions.get(`${kind}:${id}`);
        if (list) found.set(id, [...list]);
      }
      return found;
    },

    ids: async (kind) => {
      if (kind === 'meeting') {
        return [...indexes.keys()].filter((key) => key.startsWith('meeting:')).map((key) => key.slice(8));
      }
      const prefix = `${kind}:`;
      return [...versions.keys()].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
    },

    entries: async (index, query: EntriesQuery) => {
      const all = indexes.get(indexKey(index)) ?? [];
      const matching = all.filter((entry) => matchesEntriesQuery(entry, query));
      if (query.descending) matching.reverse();
      return query.limit === undefined ? matching : matching.slice(0, query.limit);
    },

    countEntries: async (index, query = {}) =>
      (indexes.get(indexKey(index)) ?? []).filter((entry) => matchesCountQuery(entry, query)).length,

    snapshotMetas: async (actorId) =>
      (snapshots.get(actorId) ?? []).map(({ state: _state, ...meta }): SnapshotMeta => meta),

    snapshotState: async (meta) => stateOf(meta),

    snapshotText: async (meta) => {
      const state = stateOf(meta);
      return state === undefined ? undefined : encodeRecord(state);
    },

    subtopicIds: async (parentId) => [...(subtopics.get(parentId) ?? [])],

    positionRecordedBefore: async (timeMs) => {
      let found: LogPosition | null = null;
      for (const mark of clock) if (mark.recordedAtMs < timeMs) found = mark.position;
      return found;
    },

    commit: async (batch) => {
      if (checkpoint && !isAfter(batch.checkpoint.position, checkpoint.position)) {
        throw new CheckpointConflictError(checkpoint.position, batch.checkpoint.position);
      }
      for (const { kind, id, version } of batch.versions) {
        const key = `${kind}:${id}`;
        const list = versions.get(key) ?? [];
        if (!list.some((known) => comparePositions(known.position, version.position) === 0)) list.push(version);
        list.sort((a, b) => comparePositions(a.position, b.position));
        versions.set(key, list);
      }
      for (const { index, entry } of batch.entries) {
        const key = indexKey(index);
        const list = indexes.get(key) ?? [];
        if (list.some((known) => comparePlaces(known, entry) === 0)) continue;
        list.push(entry);
        list.sort(comparePlaces);
        indexes.set(key, list);
      }
      for (const snapshot of batch.snapshots) {
        const list = snapshots.get(snapshot.actorId) ?? [];
        if (list.some((known) => sameSnapshot(known, snapshot))) continue;
        list.push({ ...snapshot });
        list.sort(compareSnapshots);
        snapshots.set(snapshot.actorId, list);
      }
      for (const { parentId, id } of batch.subtopics) {
        const children = subtopics.get(parentId) ?? new Set<string>();
        children.add(id);
        subtopics.set(parentId, children);
      }
      clock.push(...batch.clock);
      checkpoint = batch.checkpoint;
    },

    clear: async () => {
      checkpoint = null;
      versions = new Map();
      indexes = new Map();
      snapshots = new Map();
      subtopics = new Map();
      clock = [];
    },

    close: async () => undefined,
  };
};
