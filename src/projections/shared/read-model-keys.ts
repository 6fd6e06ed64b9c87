/**
 * Where the shared read models live in Redis. Every key carries the read-model version: a projection whose records
 * change shape or meaning bumps READ_MODEL_VERSION, and the new version is built beside the old one (blue-green)
 * while the old one goes on serving.
 *
 *   <prefix>:current                         the newest version whose projection has caught up (set by its leader)
 *   {<prefix>:rm:v<N>}:lease:holder|term       the projector leadership of that version (leader-lease.ts)
 *   {<prefix>:rm:v<N>}:checkpoint              {position, recordedAtMs, token}: what the records below reflect
 *   {<prefix>:rm:v<N>}:latest:<kind>           hash id -> latest state (actor, topic, development, meeting)
 *   {<prefix>:rm:v<N>}:index:<kind>:<id>       sorted set: developments naming the entity, scored by occurredAt
 *   {<prefix>:rm:v<N>}:index:world             sorted set: every development, scored by occurredAt
 *   {<prefix>:rm:v<N>}:snapshots               list: every actor snapshot the projection left, in log order
 *   {<prefix>:rm:v<N>}:checkpoint-moved        pub/sub channel: rung after every checkpoint write
 */

/** Bump when what the projection writes changes; see docs in README "Read-model versions". */
export const READ_MODEL_VERSION = 1;

export type LatestKind = 'actor' | 'topic' | 'development' | 'meeting';
export type IndexKind = 'actor' | 'topic' | 'meeting';

export interface ReadModelKeys {
  readonly version: number;
  readonly current: string;
  readonly lease: string;
  readonly checkpoint: string;
  readonly checkpointMoved: string;
  readonly snapshots: string;
  readonly worldIndex: string;
  /** Every key of this version, for SCAN when a version is dropped. */
  readonly pattern: string;
  latest(kind: LatestKind): string;
  index(kind: IndexKind, id: string): string;
}

export const readModelKeys = (prefix: string, version: number = READ_MODEL_VERSION): ReadModelKeys => {
  // The braces make one Redis Cluster hash slot of a version's keys: a transaction may only span keys of one slot.
  const base = `{${prefix}:rm:v${version}}`;
  return {
    version,
    current: `${prefix}:current`,
    lease: `${base}:lease`,
    checkpoint: `${base}:checkpoint`,
    checkpointMoved: `${base}:checkpoint-moved`,
    snapshots: `${base}:snapshots`,
    worldIndex: `${base}:index:world`,
    pattern: `${base}:*`,
    latest: (kind) => `${base}:latest:${kind}`,
    index: (kind, id) => `${base}:index:${kind}:${id}`,
  };
};
