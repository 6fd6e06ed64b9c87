import type { LogPosition } from '../../events/envelope.js';
import type { Stance } from '../../events/index.js';
import type { PositionState } from '../domain/positions.js';
import { comparePlaces } from '../read-store/places.js';
import type { Place } from '../read-store/read-model-store.js';
import type { ActorSummary, Latest, PendingRelations, Ranked, RelationTally } from './actor-summary.js';

/**
 * An actor summary as a snapshot stores it: arrays of plain values, without the keys, objects and bigints of the
 * summary in the heap. A busy actor's summary has thousands of keys with three latest contributions each, and a
 * question decodes its snapshot before anything else: in this form it is about a third of the JSON, read without
 * the record codec's tagged values. `restoreSummary` gives a summary the caller owns (the stored form is shared
 * through the cache and never changed).
 */
export interface StoredSummary {
  /**
   * The form's version: a snapshot of another form is refolded, never misread. 1 wrote a relation's last tones in
   * full, 3 its kept contributions as arrays; the delta forms (summary-delta.ts) take numbers of their own, so that
   * neither is read as the other.
   */
  readonly v: typeof FORM;
  readonly n: number;
  readonly a: StoredLatest | 0;
  /** [topicId, latest stance] */
  readonly p: readonly (readonly [string, StoredLatest])[];
  readonly r: readonly StoredRelation[];
  /** [meetingId, count] */
  readonly m: readonly (readonly [string, number])[];
}

/** [count, then per kept contribution: occurredAtMs, record position, developmentId, value] */
type StoredLatest = readonly unknown[];

/**
 * A relation's kept contributions, `last` and `lastTone`, as StoredLatest lists. Every development with a tone
 * counts in both, so their kept ones are mostly the same developments at the same places: relations are most of a
 * busy actor's snapshot, and writing those twice was a third of their JSON. So a development kept in both is written
 * once, in `last`, with its tone as the value (null where `lastTone` does not keep it; a tone is a finite number,
 * never null), and `lastTone` holds its count and only the kept ones `last` does not. Both lists are newest first and
 * no two developments share a place, so merging them by place gives `lastTone` back in its order.
 */
type RelationLists = readonly [last: StoredLatest, lastTone: StoredLatest | 0];

/**
 * [otherId, developmentCount, toneSum, toneCount, last development id or null, last tone or null, 1 when both are
 * known, last, lastTone or 0], the two lists packed as text (`packLatest`). A question answers every relation of a
 * busy actor (thousands) and restores only the few its fold changes: the answer's fields are plain values, and the
 * kept contributions, three quarters of a relation's JSON, are one string each that JSON.parse reads at a glance and
 * `restore` unpacks when it needs them. The largest snapshots at 1M developments (510 KB of JSON) parsed in 1.6 ms
 * rather than 3.7.
 */
type StoredRelation = readonly [
  otherId: string,
  developmentCount: number,
  toneSum: number,
  toneCount: number,
  lastDevelopmentId: string | null,
  lastTone: number | null,
  known: 0 | 1,
  last: string,
  lastTone: string | 0,
];

const FORM = 5;

/** A log position as the stored forms write it: the commit, and the prepare only where it differs. */
export const positionText = ({ commit, prepare }: LogPosition): string =>
  commit === prepare ? String(commit) : `${commit}/${prepare}`;

const positionOf = (text: string): LogPosition => {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const commit = BigInt(text);
    return { commit, prepare: commit };
  }
  return { commit: BigInt(text.slice(0, slash)), prepare: BigInt(text.slice(slash + 1)) };
};

/** Values per kept contribution in a stored latest: occurredAtMs, record position, developmentId, value. */
const ITEM = 4;

const storeRanked = <V>(count: number, ranked: readonly Ranked<V>[], value: (item: Ranked<V>) => unknown) => {
  const stored: unknown[] = [count];
  for (const item of ranked) {
    stored.push(item.place.occurredAtMs, positionText(item.place.recordPosition), item.developmentId, value(item));
  }
  return stored;
};

const storeLatest = <V>(latest: Latest<V>, value: (value: V) => unknown): StoredLatest =>
  storeRanked(latest.count, latest.ranked, (item) => value(item.value));

const placeAt = (stored: StoredLatest, at: number): Place => ({
  occurredAtMs: stored[at] as number,
  recordPosition: positionOf(stored[at + 1] as string),
});

const restoreLatest = <V>(stored: StoredLatest, value: (stored: unknown, place: Place, id: string) => V): Latest<V> => {
  const ranked: Latest<V>['ranked'] = [];
  for (let at = 1; at < stored.length; at += ITEM) {
    const place = placeAt(stored, at);
    const developmentId = stored[at + 2] as string;
    ranked.push({ place, developmentId, value: value(stored[at + 3], place, developmentId) });
  }
  return { count: stored[0] as number, ranked };
};

const sameContribution = (a: Ranked<unknown>, b: Ranked<unknown>): boolean =>
  a.developmentId === b.developmentId && (a.place === b.place || comparePlaces(a.place, b.place) === 0);

const relationLists = (tally: RelationTally): RelationLists => {
  const toned = tally.lastTone?.ranked ?? [];
  const inLast = (item: Ranked<number>) => tally.last.ranked.some((kept) => sameContribution(kept, item));
  const last = storeRanked(
    tally.last.count,
    tally.last.ranked,
    (item) => toned.find((tone) => sameContribution(tone, item))?.value ?? null,
  );
  const lastTone =
    tally.lastTone === undefined
      ? 0
      : storeRanked(
          tally.lastTone.count,
          toned.filter((item) => !inLast(item)),
          (item) => item.value,
        );
  return [last, lastTone];
};

/**
 * A StoredLatest as text: its values joined by "|" (null as nothing). Ids are slugs, which never hold "|" (the
 * event schemas' `Id`), positions are digits and "/", and numbers are written as JavaScript writes them, which reads
 * them back exactly.
 */
export const packLatest = (stored: StoredLatest): string => stored.map((value) => value ?? '').join('|');

/** Numbers where StoredLatest has them: the count, each contribution's occurredAtMs, and a value other than null. */
export const unpackLatest = (text: string): StoredLatest => {
  const parts = text.split('|');
  const stored: unknown[] = [Number(parts[0])];
  for (let at = 1; at < parts.length; at += ITEM) {
    const value = parts[at + 3]!;
    stored.push(Number(parts[at]), parts[at + 1], parts[at + 2], value === '' ? null : Number(value));
  }
  return stored;
};

const storeRelation = ([otherId, tally]: [string, RelationTally]): StoredRelation => {
  const [last, lastTone] = relationLists(tally);
  return [
    otherId,
    tally.developmentCount,
    tally.toneSum,
    tally.toneCount,
    (last[3] as string | undefined) ?? null,
    newestTone(last, lastTone) ?? null,
    isKnown(last, lastTone) ? 1 : 0,
    packLatest(last),
    lastTone === 0 ? 0 : packLatest(lastTone),
  ];
};

/** Two lists of contributions, each newest first, as one. */
const mergeNewestFirst = <V>(a: Ranked<V>[], b: Ranked<V>[]): Ranked<V>[] => {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const merged: Ranked<V>[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) merged.push(comparePlaces(a[i]!.place, b[j]!.place) > 0 ? a[i++]! : b[j++]!);
  while (i < a.length) merged.push(a[i++]!);
  while (j < b.length) merged.push(b[j++]!);
  return merged;
};

/** `lastTone` from its own kept ones and those written beside `last`'s (`shared`, restored with them). */
const restoreTone = (stored: StoredLatest, shared: Ranked<number>[]): Latest<number> => {
  const own = restoreLatest(stored, (value) => value as number);
  return { count: own.count, ranked: mergeNewestFirst(shared, own.ranked) };
};

/** A development kept in both gets one Place, as the fold gave it: its position is parsed once. */
const restoreRelation = (stored: StoredRelation): RelationTally => {
  const [, developmentCount, toneSum, toneCount] = stored;
  const last = unpackLatest(stored[7]);
  const lastTone = stored[8] === 0 ? 0 : unpackLatest(stored[8]);
  const ranked: Ranked<null>[] = [];
  const toned: Ranked<number>[] = [];
  for (let at = 1; at < last.length; at += ITEM) {
    const place = placeAt(last, at);
    const developmentId = last[at + 2] as string;
    const tone = last[at + 3];
    ranked.push({ place, developmentId, value: null });
    if (tone !== null) toned.push({ place, developmentId, value: tone as number });
  }
  return {
    developmentCount,
    toneSum,
    toneCount,
    last: { count: last[0] as number, ranked },
    lastTone: lastTone === 0 ? undefined : restoreTone(lastTone, toned),
  };
};

/** Whether a stored latest keeps a tone beside its contribution at `at` (its value slot). */
const hasTone = (last: StoredLatest, at: number): boolean => last[at + 3] !== null;

/** The first of `last`'s kept contributions with a tone, as a value index; -1 when none has one. */
const firstToned = (last: StoredLatest): number => {
  for (let at = 1; at < last.length; at += ITEM) if (hasTone(last, at)) return at;
  return -1;
};

/** A relation's last tone without restoring it: the newer of `last`'s first toned contribution and lastTone's own. */
const newestTone = (last: StoredLatest, lastTone: StoredLatest | 0): number | undefined => {
  if (lastTone === 0) return undefined;
  const shared = firstToned(last);
  const own = lastTone.length > 1 ? 1 : -1;
  if (shared < 0) return own < 0 ? undefined : (lastTone[own + 3] as number);
  if (own < 0) return last[shared + 3] as number;
  const newer = comparePlaces(placeAt(last, shared), placeAt(lastTone, own)) > 0;
  return (newer ? last[shared + 3] : lastTone[own + 3]) as number;
};

/** Whether a relation's last development and last tone are known from its kept contributions (`isKnown`). */
const isKnown = (last: StoredLatest, lastTone: StoredLatest | 0): boolean =>
  (last[0] === 0 || last.length > 1) &&
  (lastTone === 0 || lastTone[0] === 0 || lastTone.length > 1 || firstToned(last) > 0);

const pendingForm: Omit<PendingRelations<StoredRelation>, 'stored'> = {
  restore: restoreRelation,
  answer: (otherId, [, developmentCount, toneSum, toneCount, lastDevelopmentId, lastTone]) => ({
    otherId,
    developmentCount,
    toneSum,
    toneCount,
    lastTone: lastTone ?? undefined,
    // As the restored relation answers when it keeps no contribution.
    lastDevelopmentId: (lastDevelopmentId ?? undefined) as string,
  }),
  isKnown: (stored) => stored[6] === 1,
};

const same = <V>(value: V): V => value;

export const storeSummary = (summary: ActorSummary): StoredSummary => ({
  v: FORM,
  n: summary.developmentCount,
  a: summary.lastActive ? storeLatest(summary.lastActive, same) : 0,
  // A stance keeps what the key and the contribution do not already say.
  p: [...summary.positions].map(([topicId, latest]) => [
    topicId,
    storeLatest(latest, (position) => [position.stance, position.since, position.summary ?? null]),
  ]),
  // Pending relations are still in this form: written back as they are.
  r: [...[...summary.relations].map(storeRelation), ...((summary.pending?.stored.values() ?? []) as StoredRelation[])],
  m: [...summary.meetings],
});

export const isStoredSummary = (state: unknown): state is StoredSummary =>
  typeof state === 'object' && state !== null && (state as { v?: unknown }).v === FORM;

export const restoreSummary = (stored: StoredSummary, actorId: string): ActorSummary => ({
  developmentCount: stored.n,
  lastActive: stored.a === 0 ? undefined : restoreLatest(stored.a, (value) => value as string),
  positions: new Map(
    stored.p.map(([topicId, latest]) => [
      topicId,
      restoreLatest(latest, (value, _place, developmentId): PositionState => {
        const [stance, since, summary] = value as [Stance, string, string | null];
        return summary === null
          ? { actorId, topicId, stance, since, developmentId }
          : { actorId, topicId, stance, summary, since, developmentId };
      }),
    ]),
  ),
  relations: new Map(),
  meetings: new Map(stored.m),
  // The summary holds pending relations of any form; this one lends the functions that read its own.
  pending: {
    ...pendingForm,
    stored: new Map(stored.r.map((relation) => [relation[0], relation])),
  } as PendingRelations<StoredRelation> as unknown as PendingRelations,
});
