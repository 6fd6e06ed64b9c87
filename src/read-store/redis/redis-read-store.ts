import { Cluster } from 'ioredis';
import type { LogPosition } from '../../../events/envelope.js';
import { compareSnapshots } from '../places.js';
import type {
  ReadModelCheckpoint,
  ReadModelStore,
  SnapshotMeta,
  StoredVersion,
  VersionKind,
} from '../read-model-store.js';
import { commitBatch, PAGE_LIMITS, type PageLimits, type ReadStoreFence } from './commit-batch.js';
import {
  clusterReady,
  connect,
  scanKeys,
  sendAll,
  type RedisConnection,
  type RedisTarget,
  type Routed,
} from './connection.js';
import { countEntries, readEntries, SCAN_BUDGET } from './read-entries.js';
import { keySlot, readStoreKeys, readStoreLeaseKey } from './redis-read-keys.js';
import {
  checkpointPositionKey,
  decodeCheckpoint,
  decodePositionKey,
  decodeSnapshotMeta,
  decodeVersionRecords,
  encodePositionKey,
  scoreText,
  snapshotField,
} from './redis-records.js';
import { runScript } from './scripts.js';
import { snapshotTextOf, stateFromText } from '../snapshot-codec.js';

export { FencedOutError } from './commit-batch.js';
export { readStoreLeaseKey } from './redis-read-keys.js';

/**
 * The read-model store in Redis, or in a Redis Cluster (redis-read-keys.ts has the key layout, commit-batch.ts how a
 * batch becomes visible at once without a transaction, read-entries.ts how indexes are scanned).
 */
export type RedisReadStoreOptions = RedisTarget & {
  /** Keys start with `<prefix>:rm:v<version>` (entities) or `{<prefix>:rm:v<version>}` (checkpoint, lease). */
  readonly prefix: string;
  readonly version: number;
  /** The projector's lease: with it, a checkpoint is written only while the lease is still the token's term. */
  readonly fence?: ReadStoreFence;
  /** Told of connection trouble (commands fail on their own); ignored by default. */
  readonly onError?: (error: Error) => void;
  /** How many index members one scan script call looks at before it hands back (tests make it small). */
  readonly scanBudget?: number;
  /** The pages of an index (commit-batch.ts, PAGE_LIMITS: Redis' defaults; tests make them small). */
  readonly pages?: Partial<PageLimits>;
};

export interface RedisReadStore extends ReadModelStore {
  /** The connection (for tests and tools): a `Cluster` when nodes were given. */
  readonly connection: RedisConnection;
}

export const openRedisReadStore = (options: RedisReadStoreOptions): RedisReadStore => {
  const keys = readStoreKeys(options.prefix, options.version);
  const fence = options.fence ?? null;
  if (fence && keySlot(`${fence.leaseKey}:holder`) !== keySlot(keys.checkpoint)) {
    throw new Error(
      `the fence's lease ${fence.leaseKey} is not in the checkpoint's slot: use ` +
        `${readStoreLeaseKey(options.prefix, options.version)}, or the checkpoint script cannot read it`,
    );
  }
  const connection = connect(options, options.onError ?? (() => undefined));
  const context = { connection, keys, scanBudget: Math.max(1, options.scanBudget ?? SCAN_BUDGET) };
  const pages: PageLimits = {
    entries: Math.max(1, options.pages?.entries ?? PAGE_LIMITS.entries),
    memberBytes: options.pages?.memberBytes ?? PAGE_LIMITS.memberBytes,
  };

  /**
   * Runs read commands after reading the checkpoint, so that records stamped up to it are all there: in one
   * pipeline on a single Redis (it runs commands in order), in two round trips on a cluster, whose nodes answer a
   * pipeline in no common order. Null when nothing is committed.
   */
  const readCovered = async (commands: readonly Routed[]): Promise<{ through: string; answers: unknown[] } | null> => {
    const checkpointCommand: Routed = { key: keys.checkpoint, queue: (pipeline) => pipeline.get(keys.checkpoint) };
    const metaSlot = keySlot(keys.checkpoint);
    if (connection instanceof Cluster && !commands.every(({ key }) => keySlot(key) === metaSlot)) {
      const stored = (await sendAll(connection, [checkpointCommand]))[0] as string | null;
      if (stored === null) return null;
      return { through: checkpointPositionKey(stored), answers: await sendAll(connection, commands) };
    }
    const [stored, ...answers] = await sendAll(connection, [checkpointCommand, ...commands]);
    return stored === null ? null : { through: checkpointPositionKey(stored as string), answers };
  };

  const snapshotText = async (meta: SnapshotMeta): Promise<string | undefined> => {
    const key = keys.snapshotStates(meta.actorId);
    const field = snapshotField(meta);
    const covered = await readCovered([{ key, queue: (pipeline) => pipeline.hgetBuffer(key, field) }]);
    if (!covered || encodePositionKey(meta.builtPosition) > covered.through) return undefined;
    const stored = covered.answers[0];
    return Buffer.isBuffer(stored) ? snapshotTextOf(stored) : undefined;
  };

  return {
    connection,

    checkpoint: async (): Promise<ReadModelCheckpoint | null> => {
      const stored = await connection.get(keys.checkpoint);
      return stored === null ? null : decodeCheckpoint(stored);
    },

    versions: async (kind: VersionKind, ids: readonly string[]) => {
      const found = new Map<string, StoredVersion[]>();
      const covered = await readCovered(
        ids.map((id): Routed => {
          const key = keys.versions(kind, id);
          return { key, queue: (pipeline) => pipeline.get(key) };
        }),
      );
      if (!covered) return found;
      covered.answers.forEach((text, at) => {
        if (typeof text !== 'string') return;
        const versions = decodeVersionRecords(ids[at]!, text, covered.through);
        if (versions.length > 0) found.set(ids[at]!, versions);
      });
      return found;
    },

    ids: async (kind) => {
      const key = keys.ids(kind);
      const covered = await readCovered([{ key, queue: (pipeline) => pipeline.smembers(key) }]);
      return covered ? (covered.answers[0] as string[]) : [];
    },

    entries: (index, query) => readEntries(context, index, query),

    countEntries: (index, query) => countEntries(context, index, query),

    snapshotMetas: async (actorId) => {
      const key = keys.snapshotMetas(actorId);
      const covered = await readCovered([{ key, queue: (pipeline) => pipeline.hgetall(key) }]);
      if (!covered) return [];
      const stored = covered.answers[0] as Record<string, string>;
      return Object.values(stored)
        .map((text) => decodeSnapshotMeta(actorId, text))
        .filter(({ built }) => built <= covered.through)
        .map(({ meta }) => meta)
        .sort(compareSnapshots);
    },

    snapshotText,
    snapshotState: stateFromText(snapshotText),

    subtopicIds: async (parentId) => {
      const key = keys.subtopics(parentId);
      const covered = await readCovered([{ key, queue: (pipeline) => pipeline.smembers(key) }]);
      return covered ? (covered.answers[0] as string[]) : [];
    },

    positionRecordedBefore: async (timeMs): Promise<LogPosition | null> => {
      if (Number.isNaN(timeMs)) return null;
      // The clock is written with the checkpoint, by the same script: it holds nothing after it.
      const found = await runScript(connection, 'rsRecordedBefore', [keys.checkpoint, keys.clock], [scoreText(timeMs)]);
      return typeof found === 'string' ? decodePositionKey(found) : null;
    },

    commit: (batch) => commitBatch(connection, keys, batch, fence, pages),

    clear: async () => {
      // The checkpoint first: from then on readers take nothing, whatever is left while the rest goes.
      await connection.del(keys.checkpoint);
      if (connection instanceof Cluster) await clusterReady(connection);
      const nodes = connection instanceof Cluster ? connection.nodes('master') : [connection];
      for (const node of nodes) {
        const found = (await scanKeys(node, keys.pattern)).filter(keys.owns);
        for (let at = 0; at < found.length; at += 1000) {
          const pipeline = node.pipeline();
          // One key per command: on a cluster node, the keys of one SCAN page lie in many slots.
          for (const key of found.slice(at, at + 1000)) pipeline.unlink(key);
          await pipeline.exec();
        }
      }
    },

    close: async () => {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
};
