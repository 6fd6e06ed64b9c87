import type { IndexRef, VersionKind } from '../read-model-store.js';

/**
 * Where the Redis read-model store keeps a version's read models. Keys are hash-tagged by ENTITY, so that a Redis
 * Cluster spreads a version over all its nodes, while everything of one entity (and everything the checkpoint must
 * write with it) shares one slot:
 *
 *   <base> = <prefix>:rm:v<N>
 *   <base>:{a:<id>}:v | {t:<id>}:v | {d:<id>}:v   string: the entity's versions, in log order (redis-records.ts)
 *   <base>:{a:<id>}:i | {t:<id>}:i | {m:<id>}:i   sorted set: the index entries, score occurredAtMs (redis-records.ts)
 *   <base>:{a:<id>}:c                             sorted set: the actor's changes index, as the other indexes
 *   <base>:{a:<id>}:cb                            sorted set: the same changes by month, then by when they came
 *                                                 (scripts/scan-changes.ts)
 *   <base>:{a:<id>}:x                             sorted set: the actor's superseded index, as the other indexes
 *   <base>:{w:<yyyy-mm>}:i                        sorted set: the world index, one shard per month of occurredAt
 *   <index>:d, <index>:<page>, <index>:o          an index's further pages, in its slot: its directory, its pages
 *                                                 and the shares too long for a page (scripts/lua-helpers.ts, "paged")
 *   <base>:{a:<id>}:sm                            hash: the actor's snapshot metas, by snapshot name
 *   <base>:{a:<id>}:ss                            hash: their states, by the same name
 *
 * and under the meta tag {<base>}, the projector's lease tag (leader-lease.ts: {<base>}:lease:holder|term), written
 * by the one checkpoint script, so that they move with the checkpoint, at once:
 *
 *   {<base>}:rs:cp                  string: "<position>|<recordedAtMs>", the committed checkpoint
 *   {<base>}:rs:clock               sorted set: the clock's buckets, score recordedAtMs of the first mark, member
 *                                   its position (scripts/checkpoint.ts)
 *   {<base>}:rs:clock:<position>    sorted set: up to 120 marks, score recordedAtMs, member position: where
 *                                   replays from a time start
 *   {<base>}:rs:ids:<kind>          set: actor, topic and meeting ids
 *   {<base>}:rs:sub:<parentId>      set: subtopic ids
 *   {<base>}:rs:wm                  sorted set: the world index's month shards, score the month's first instant
 *
 * The world index is sharded by month so that no node holds all of it: a month is one slot, readers walk the months
 * a query spans in order (the month list is small). Each index (an entity's, a month's) is paged into sorted sets
 * small enough for Redis to pack, all in the index's slot, which keeps every range scan one script call.
 *
 * Suffixes are one or two letters: a key's name is paid for in memory once per entity.
 */
export interface ReadStoreKeys {
  /** `<prefix>:rm:v<N>` */
  readonly base: string;
  /** `{<prefix>:rm:v<N>}`: the slot of the checkpoint, the clock, the ids and the projector's lease. */
  readonly metaTag: string;
  readonly checkpoint: string;
  readonly clock: string;
  readonly worldMonths: string;
  ids(kind: 'actor' | 'topic' | 'meeting'): string;
  subtopics(parentId: string): string;
  versions(kind: VersionKind, id: string): string;
  /** An entity's index; for the world index, see worldShard. */
  index(index: IndexRef): string;
  worldShard(label: string): string;
  /** An actor's changes by month of occurredAt, then by when they came: what a snapshot's changes since are read by. */
  changesByBucket(actorId: string): string;
  snapshotMetas(actorId: string): string;
  snapshotStates(actorId: string): string;
  /** A SCAN pattern that matches every key of this store (and maybe others: see `owns`). */
  readonly pattern: string;
  /** Whether a key is this store's (the lease is not: a rebuild keeps the projector's term). */
  owns(key: string): boolean;
}

const ENTITY_TAGS: Record<VersionKind | 'meeting', string> = { actor: 'a', topic: 't', development: 'd', meeting: 'm' };

/** Escapes the glob characters of SCAN MATCH. */
const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);

export const readStoreKeys = (prefix: string, version: number): ReadStoreKeys => {
  if (/[{}]/.test(prefix)) throw new Error(`a read-store key prefix cannot hold braces (hash tags): ${prefix}`);
  if (!Number.isSafeInteger(version) || version < 0) throw new Error(`a read-model version is a whole number`);
  const base = `${prefix}:rm:v${version}`;
  const metaTag = `{${base}}`;
  const meta = `${metaTag}:rs`;
  const entity = (tag: string, id: string) => `${base}:{${tag}:${id}}`;
  return {
    base,
    metaTag,
    checkpoint: `${meta}:cp`,
    clock: `${meta}:clock`,
    worldMonths: `${meta}:wm`,
    ids: (kind) => `${meta}:ids:${kind}`,
    subtopics: (parentId) => `${meta}:sub:${parentId}`,
    versions: (kind, id) => `${entity(ENTITY_TAGS[kind], id)}:v`,
    index: ({ kind, id }) => {
      if (kind === 'world') throw new Error('the world index is sharded by month: use worldShard');
      // In the actor's slot: what a question reads of an actor (its snapshots, the changes since, what is superseded)
      // is on one node.
      if (kind === 'changes') return `${entity('a', id)}:c`;
      if (kind === 'superseded') return `${entity('a', id)}:x`;
      return `${entity(ENTITY_TAGS[kind], id)}:i`;
    },
    worldShard: (label) => `${entity('w', label)}:i`,
    changesByBucket: (actorId) => `${entity('a', actorId)}:cb`,
    snapshotMetas: (actorId) => `${entity('a', actorId)}:sm`,
    snapshotStates: (actorId) => `${entity('a', actorId)}:ss`,
    // `<base>:...` and `{<base>}:rs:...` in one pass: matching is what a SCAN of a large keyspace spends its time on.
    pattern: `*${globEscape(base)}[:}]*`,
    owns: (key) => key.startsWith(`${base}:`) || key.startsWith(`${meta}:`),
  };
};

/** The lease key a projector of this store must hold (leader-lease.ts), in the checkpoint's slot. */
export const readStoreLeaseKey = (prefix: string, version: number): string =>
  `${readStoreKeys(prefix, version).metaTag}:lease`;

// ---------------------------------------------------------------- world shards

const MAX_DATE_MS = 8.64e15;

/** The month shard of an occurredAt: its label and its first instant (monotone in occurredAtMs). */
export const worldShardOf = (occurredAtMs: number): { readonly label: string; readonly startMs: number } => {
  if (Number.isNaN(occurredAtMs)) throw new RangeError('an index entry cannot occur at NaN');
  const date = new Date(Math.min(MAX_DATE_MS, Math.max(-MAX_DATE_MS, occurredAtMs)));
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const start = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  start.setUTCFullYear(year, month, 1);
  const startMs = Number.isNaN(start.getTime()) ? -MAX_DATE_MS : start.getTime();
  return { label: `${year}-${String(month + 1).padStart(2, '0')}`, startMs };
};

// ---------------------------------------------------------------- cluster slots

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** The Redis Cluster hash slot of a key (CRC16/XMODEM of its hash tag, or of the whole key, mod 16384). */
export const keySlot = (key: string): number => {
  let hashed = key;
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) hashed = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(hashed, 'utf8'))
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc % 16384;
};
