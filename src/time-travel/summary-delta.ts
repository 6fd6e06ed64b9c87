import type { LogPosition } from '../../events/envelope.js';
import { comparePlaces } from '../read-store/places.js';
import type { Place, ReadModelReader, SnapshotMeta } from '../read-store/read-model-store.js';
import { isStoredSummary, positionText, type StoredSummary } from './stored-summary.js';

/**
 * A snapshot stored as what differs from another of the same actor (its base, a whole one): the keys whose stored
 * entries changed, those that are gone, and the counts. A busy actor's summary has a key per counterpart, and a
 * snapshot every few hundred entries touches a fraction of them: stored whole, consecutive snapshots repeated the
 * rest, and a busy actor's snapshots grew with its history times its counterparts.
 *
 * A delta is a difference of two stored forms, whatever lies between them (new entries, corrections since the base
 * was built): the base overlaid with it is exactly the summary that was stored. Reading one costs its base as well,
 * which the cache keeps for all the deltas on it.
 */
export interface StoredDelta {
  readonly v: typeof DELTA_FORM;
  /** The base: [boundary occurredAtMs, boundary record position, built position], positions as decimal text. */
  readonly b: readonly [number, string, string];
  readonly n: StoredSummary['n'];
  readonly a: StoredSummary['a'];
  readonly p: StoredSummary['p'];
  readonly r: StoredSummary['r'];
  readonly m: StoredSummary['m'];
  /** Keys of the base that are gone: [topic ids, counterpart ids, meeting ids]. */
  readonly g: readonly [readonly string[], readonly string[], readonly string[]];
}

/**
 * Apart from every form of whole summary, past ones too (stored-summary.ts): 2 took deltas of form 1, 4 of form 3,
 * each delta holding entries of its base's form.
 */
const DELTA_FORM = 6;

/**
 * A delta is written only while it is at most this share of the whole summary's keys; past it, the snapshot is
 * stored whole and becomes the base of the next ones. The stored size then stays within a small factor of one whole
 * summary per run of deltas, and a read never overlays more than one delta.
 */
const MAX_DELTA_SHARE = 0.4;

export const isStoredDelta = (state: unknown): state is StoredDelta =>
  typeof state === 'object' && state !== null && (state as { v?: unknown }).v === DELTA_FORM;

type Keyed = readonly [string, ...unknown[]];

/** Stored entries are arrays of plain values (and arrays of them): equal when every value is. */
const sameStored = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let at = 0; at < a.length; at++) if (!sameStored(a[at], b[at])) return false;
  return true;
};

const diffKeyed = <E extends Keyed>(base: readonly E[], whole: readonly E[]) => {
  const before = new Map<string, E>();
  for (const entry of base) before.set(entry[0], entry);
  const changed: E[] = [];
  for (const entry of whole) {
    const old = before.get(entry[0]);
    before.delete(entry[0]);
    if (old === undefined || !sameStored(old, entry)) changed.push(entry);
  }
  return { changed, gone: [...before.keys()] };
};

const overlayKeyed = <E extends Keyed>(base: readonly E[], changed: readonly E[], gone: readonly string[]): E[] => {
  const entries = new Map<string, E>();
  for (const entry of base) entries.set(entry[0], entry);
  for (const key of gone) entries.delete(key);
  for (const entry of changed) entries.set(entry[0], entry);
  return [...entries.values()];
};

const samePosition = (text: string, position: LogPosition) => text === positionText(position);

/**
 * What to store for a snapshot whose whole summary is `whole`, given the base a delta would refer to: the delta, or
 * the whole summary where too much changed.
 */
export const deltaOrWhole = (
  whole: StoredSummary,
  base: { readonly meta: SnapshotMeta; readonly state: StoredSummary } | undefined,
): StoredSummary | StoredDelta => {
  if (base === undefined) return whole;
  const positions = diffKeyed(base.state.p, whole.p);
  const relations = diffKeyed(base.state.r, whole.r);
  const meetings = diffKeyed(base.state.m, whole.m);
  const size = whole.p.length + whole.r.length + whole.m.length;
  const differs =
    positions.changed.length +
    positions.gone.length +
    relations.changed.length +
    relations.gone.length +
    meetings.changed.length +
    meetings.gone.length;
  if (differs > MAX_DELTA_SHARE * size) return whole;
  const { boundary, builtPosition } = base.meta;
  return {
    v: DELTA_FORM,
    b: [boundary.occurredAtMs, positionText(boundary.recordPosition), positionText(builtPosition)],
    n: whole.n,
    a: whole.a,
    p: positions.changed,
    r: relations.changed,
    m: meetings.changed,
    g: [positions.gone, relations.gone, meetings.gone],
  };
};

/** The snapshot a delta was taken against, among the actor's metas. */
const baseMetaOf = (delta: StoredDelta, metas: readonly SnapshotMeta[]): SnapshotMeta | undefined => {
  const [occurredAtMs, record, built] = delta.b;
  return metas.find(
    ({ boundary, builtPosition }) =>
      boundary.occurredAtMs === occurredAtMs &&
      samePosition(record, boundary.recordPosition) &&
      samePosition(built, builtPosition),
  );
};

/** The whole snapshot a delta was taken against; undefined when it is not there or not whole. */
const baseOf = async (reads: ReadModelReader, delta: StoredDelta, metas: readonly SnapshotMeta[]) => {
  const meta = baseMetaOf(delta, metas);
  const state = meta && (await reads.snapshotState(meta));
  return meta && isStoredSummary(state) ? { meta, state } : undefined;
};

/**
 * The whole stored summary of a snapshot: itself, or its base overlaid with it. Undefined for a form this code does
 * not read, or a base that is not there (the question then folds from the start).
 */
export const wholeStoredSummary = async (
  reads: ReadModelReader,
  actorId: string,
  state: unknown,
): Promise<StoredSummary | undefined> => {
  if (isStoredSummary(state)) return state;
  if (!isStoredDelta(state)) return undefined;
  const base = (await baseOf(reads, state, await reads.snapshotMetas(actorId)))?.state;
  if (base === undefined) return undefined;
  return {
    v: base.v,
    n: state.n,
    a: state.a,
    p: overlayKeyed(base.p, state.p, state.g[0]),
    r: overlayKeyed(base.r, state.r, state.g[1]),
    m: overlayKeyed(base.m, state.m, state.g[2]),
  };
};

/**
 * The newest version of the boundary nearest `place` (by occurredAt; the boundary itself when it stands): metas come
 * by boundary, then by built position, so that is the last meta of the nearest run.
 */
const nearestNewest = (metas: readonly SnapshotMeta[], place: Place): SnapshotMeta | undefined => {
  let low = 0;
  let high = metas.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (comparePlaces(metas[middle]!.boundary, place) <= 0) low = middle + 1;
    else high = middle;
  }
  // metas[low - 1] is the newest version of the last boundary at or before `place`; metas[low] the oldest of the
  // first one after it, whose newest version ends its run.
  const before = metas[low - 1];
  let last = low;
  while (last + 1 < metas.length && comparePlaces(metas[last + 1]!.boundary, metas[low]!.boundary) === 0) last++;
  const next = metas[last];
  if (before === undefined || next === undefined) return before ?? next;
  const distance = (meta: SnapshotMeta) => Math.abs(meta.boundary.occurredAtMs - place.occurredAtMs);
  return distance(next) < distance(before) ? next : before;
};

/**
 * The base for a snapshot of the actor at `boundary`: the whole snapshot behind the newest version of the boundary
 * nearest it (itself when whole, else the base that delta was taken against). A boundary built again is mostly what
 * it was, so its own base gives a small delta; the snapshot built last, the base before, lies at the far end of the
 * index for a boundary built again long after, and differed so much that nine in ten of them were stored whole (at
 * 1M developments, 534 of the busiest actor's 604 MB of snapshots).
 */
export const baseFor = async (
  reads: ReadModelReader,
  actorId: string,
  boundary: Place,
): Promise<{ meta: SnapshotMeta; state: StoredSummary } | undefined> => {
  const metas = await reads.snapshotMetas(actorId);
  const nearest = nearestNewest(metas, boundary);
  if (nearest === undefined) return undefined;
  const state = await reads.snapshotState(nearest);
  if (isStoredSummary(state)) return { meta: nearest, state };
  return isStoredDelta(state) ? baseOf(reads, state, metas) : undefined;
};
