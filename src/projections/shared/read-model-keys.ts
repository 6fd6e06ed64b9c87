/**
 * Where a deployment's shared read models live in Redis, beside what the Redis read store keeps (its own layout,
 * src/read-store/redis/). Every key carries the read-model version: a projection whose records change shape or
 * meaning bumps READ_MODEL_VERSION, and the new version is built beside the old one (blue-green) while the old one
 * goes on serving.
 *
 *   <prefix>:current                       the newest version whose projection has caught up (set by its leader)
 *   {<prefix>:rm:v<N>}:lease:holder|term     the projector leadership of that version (leader-lease.ts); the
 *                                           checkpoint lives under the same hash tag, so its write checks the term
 *   {<prefix>:rm:v<N>}:checkpoint-moved      pub/sub channel: rung after every batch the leader commits
 */

/**
 * Bump when what the projection writes changes; see docs/deployment.md, "Read-model versions, blue-green".
 * 8: an actor's changes are listed by month too (read-store/redis/scripts/scan-changes.ts).
 */
export const READ_MODEL_VERSION = 8;

export interface ReadModelKeys {
  readonly prefix: string;
  readonly version: number;
  readonly current: string;
  readonly lease: string;
  readonly checkpointMoved: string;
}

export const readModelKeys = (prefix: string, version: number = READ_MODEL_VERSION): ReadModelKeys => {
  const base = `{${prefix}:rm:v${version}}`;
  return {
    prefix,
    version,
    current: `${prefix}:current`,
    lease: `${base}:lease`,
    checkpointMoved: `${base}:checkpoint-moved`,
  };
};
