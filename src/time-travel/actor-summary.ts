import type { DevelopmentState } from '../domain/development.js';
import type { PositionState } from '../domain/positions.js';
import { toneUnits, type RelationState } from '../domain/relations.js';
import { comparePlaces } from '../read-store/places.js';
import type { Place } from '../read-store/read-model-store.js';
import { shareOf, type ActorShare } from './actor-share.js';

/**
 * The foldable part of what an actor did: what a snapshot keeps. Every part takes developments in any order and
 * gives each one back (a correction moves it, a retraction removes it), so that a snapshot stays a start for later
 * questions: they add what arrived since and take away what changed, and never refold what came before.
 *
 * Counts add and subtract. A latest value (a stance, a tone, the last development) cannot be taken back from the
 * value alone, so each keeps its few latest contributions in world order and how many it has in all: removing the
 * latest promotes the next. Only when every kept one was removed and others remain is the latest unknown, and the
 * question folds from the start instead (`isComplete`); the projector's next snapshot there starts afresh.
 */
export interface ActorSummary {
  developmentCount: number;
  lastActive: Latest<string> | undefined;
  /** By topic id: the stances the actor took. */
  readonly positions: Map<string, Latest<PositionState>>;
  /** By the other actor's id. */
  readonly relations: Map<string, RelationTally>;
  /** The meetings of the developments that name the actor, each with how many do. */
  readonly meetings: Map<string, number>;
  /** Relations still in the form a snapshot stored them: not in `relations` until the fold first changes them. */
  readonly pending?: PendingRelations;
}

/**
 * Relations restored from a snapshot one at a time, when the fold first changes each: a walk after a snapshot
 * touches a few of a busy actor's thousands of counterparts, and restoring them all (each with its kept
 * contributions, their places and positions) was most of what a cold question allocated, and what its garbage
 * collection then copied. The snapshot's form lends the functions (stored-summary.ts).
 */
export interface PendingRelations<S = unknown> {
  /** By the other actor's id; a relation leaves once restored. */
  readonly stored: Map<string, S>;
  readonly restore: (stored: S) => RelationTally;
  readonly answer: (otherId: string, stored: S) => RelationState;
  /** `isKnown` of its last and last tone, as restored. */
  readonly isKnown: (stored: S) => boolean;
}

export interface RelationTally {
  developmentCount: number;
  toneSum: number;
  toneCount: number;
  last: Latest<null>;
  lastTone: Latest<number> | undefined;
}

/** The latest contributions of one key, newest first: the top of all `count` of them in world order. */
export interface Latest<V> {
  count: number;
  readonly ranked: Ranked<V>[];
}

export interface Ranked<V> {
  readonly place: Place;
  readonly developmentId: string;
  readonly value: V;
}

/**
 * How many latest contributions a key keeps. A question that finds a key's kept ones all removed refolds from the
 * start: with corrections spread over a history, that takes KEPT removals among a key's latest few, rare past 2.
 */
const KEPT = 3;

export const emptySummary = (): ActorSummary => ({
  developmentCount: 0,
  lastActive: undefined,
  positions: new Map(),
  relations: new Map(),
  meetings: new Map(),
});

const addLatest = <V>(latest: Latest<V> | undefined, item: Ranked<V>): Latest<V> => {
  if (latest === undefined) return { count: 1, ranked: [item] };
  const { ranked } = latest;
  // Kept ones are the top of all: a new one below the lowest kept, with others unkept, may not be next in line.
  const complete = ranked.length === latest.count;
  latest.count += 1;
  if (!complete && (ranked.length === 0 || comparePlaces(item.place, ranked.at(-1)!.place) < 0)) return latest;
  let at = 0;
  while (at < ranked.length && comparePlaces(ranked[at]!.place, item.place) > 0) at++;
  ranked.splice(at, 0, item);
  if (ranked.length > KEPT) ranked.length = KEPT;
  return latest;
};

/** Undefined once nothing is left. */
const removeLatest = <V>(latest: Latest<V> | undefined, place: Place, developmentId: string) => {
  if (latest === undefined) throw new Error(`removing ${developmentId}, which was never added`);
  latest.count -= 1;
  const at = latest.ranked.findIndex(
    (item) => item.developmentId === developmentId && comparePlaces(item.place, place) === 0,
  );
  if (at >= 0) latest.ranked.splice(at, 1);
  return latest.count === 0 ? undefined : latest;
};

const isKnown = (latest: Latest<unknown> | undefined): boolean =>
  latest === undefined || latest.count === 0 || latest.ranked.length > 0;

/** Whether every latest value is known: false after removals took all the kept ones of a key. */
export const isComplete = (summary: ActorSummary): boolean => {
  // Loops, not spreads: every question asks this of a summary of up to thousands of relations.
  if (!isKnown(summary.lastActive)) return false;
  for (const latest of summary.positions.values()) if (!isKnown(latest)) return false;
  for (const tally of summary.relations.values()) if (!isKnown(tally.last) || !isKnown(tally.lastTone)) return false;
  const { pending } = summary;
  if (pending) for (const stored of pending.stored.values()) if (!pending.isKnown(stored)) return false;
  return true;
};

/** The tally of a relation, restored from the snapshot's form if it is still pending: the fold may change it. */
export const relationTally = (summary: ActorSummary, otherId: string): RelationTally | undefined => {
  const tally = summary.relations.get(otherId);
  const { pending } = summary;
  if (tally !== undefined || pending === undefined) return tally;
  const stored = pending.stored.get(otherId);
  if (stored === undefined) return undefined;
  pending.stored.delete(otherId);
  const restored = pending.restore(stored);
  summary.relations.set(otherId, restored);
  return restored;
};

const bump = (counts: Map<string, number>, key: string, by: 1 | -1): void => {
  const count = (counts.get(key) ?? 0) + by;
  if (count === 0) counts.delete(key);
  else counts.set(key, count);
};

/**
 * What one development, at its place in world order, gives the actor's summary (sign 1) or takes back from it
 * (sign -1, with the very development and place it was given with). Only developments that name the actor count:
 * an index keeps the entries of every development that ever named it.
 */
export const applyDevelopment = (
  summary: ActorSummary,
  development: DevelopmentState,
  actorId: string,
  at: Place,
  sign: 1 | -1,
): void => {
  const share = shareOf(development, actorId);
  if (share) applyShare(summary, share, actorId, development.id, at, sign);
};

/** What a development's share gives the actor's summary, or takes back from it: `applyDevelopment` without it. */
export const applyShare = (
  summary: ActorSummary,
  share: ActorShare,
  actorId: string,
  developmentId: string,
  at: Place,
  sign: 1 | -1,
): void => {
  const place: Place = { occurredAtMs: at.occurredAtMs, recordPosition: at.recordPosition };
  const change = <V>(latest: Latest<V> | undefined, value: V) =>
    sign === 1 ? addLatest(latest, { place, developmentId, value }) : removeLatest(latest, place, developmentId);
  const set = <K, V>(map: Map<K, V>, key: K, value: V | undefined) =>
    value === undefined ? map.delete(key) : map.set(key, value);

  for (const [topicId, stance, stanceSummary] of share.stances) {
    const position: PositionState = {
      actorId,
      topicId,
      stance,
      summary: stanceSummary,
      since: share.occurredAt,
      developmentId,
    };
    set(summary.positions, topicId, change(summary.positions.get(topicId), position));
  }
  if (share.meetingId !== undefined) bump(summary.meetings, share.meetingId, sign);
  const { part } = share;
  if (part === undefined) return;
  summary.developmentCount += sign;
  summary.lastActive = change(summary.lastActive, share.occurredAt);
  const { tone } = part;
  for (const otherId of part.counterparts) {
    const tally = relationTally(summary, otherId);
    const last = change(tally?.last, null);
    if (last === undefined) {
      summary.relations.delete(otherId);
      continue;
    }
    const next: RelationTally = tally ?? { developmentCount: 0, toneSum: 0, toneCount: 0, last, lastTone: undefined };
    next.developmentCount += sign;
    next.last = last;
    if (tone !== undefined) {
      next.toneSum += sign * toneUnits(tone);
      next.toneCount += sign;
      next.lastTone = change(next.lastTone, tone);
    }
    summary.relations.set(otherId, next);
  }
};

/**
 * The contributions of two ranges of world order, all of `later`'s after all of `earlier`'s. The top of their union
 * is later's kept ones, then earlier's, but only while later keeps every one of its own: those it does not keep lie
 * between the two, and nothing below them is known to be next in line.
 */
const mergeLatest = <V>(earlier: Latest<V> | undefined, later: Latest<V> | undefined): Latest<V> | undefined => {
  if (earlier === undefined) return later;
  if (later === undefined) return earlier;
  const whole = later.ranked.length === later.count;
  return {
    count: earlier.count + later.count,
    ranked: whole ? [...later.ranked, ...earlier.ranked].slice(0, KEPT) : later.ranked.slice(),
  };
};

const mergeTallies = (earlier: RelationTally, later: RelationTally): RelationTally => ({
  developmentCount: earlier.developmentCount + later.developmentCount,
  toneSum: earlier.toneSum + later.toneSum,
  toneCount: earlier.toneCount + later.toneCount,
  last: mergeLatest(earlier.last, later.last)!,
  lastTone: mergeLatest(earlier.lastTone, later.lastTone),
});

/**
 * The summary of two adjacent ranges of an actor's index, `later` wholly after `earlier` in world order: what one fold
 * over both gives, without folding either again. Counts and tone sums add (tones are whole millionths, so the sum is
 * exact in any order); a latest value is later's if later has one, and its kept contributions are the top of both
 * (mergeLatest). Relations only one side has stay in the form a snapshot stored them; those both have are restored
 * and merged. Both summaries are used up: the merged one may share their parts.
 */
export const mergeSummaries = (earlier: ActorSummary, later: ActorSummary): ActorSummary => {
  const lender = earlier.pending ?? later.pending;
  const pending = lender && { ...lender, stored: new Map(earlier.pending?.stored) };
  const merged: ActorSummary = {
    developmentCount: earlier.developmentCount + later.developmentCount,
    lastActive: mergeLatest(earlier.lastActive, later.lastActive),
    positions: new Map(earlier.positions),
    relations: new Map(earlier.relations),
    meetings: new Map(earlier.meetings),
    ...(pending && { pending }),
  };
  for (const [topicId, latest] of later.positions) {
    merged.positions.set(topicId, mergeLatest(merged.positions.get(topicId), latest)!);
  }
  for (const [meetingId, count] of later.meetings) {
    merged.meetings.set(meetingId, (merged.meetings.get(meetingId) ?? 0) + count);
  }
  // Kept as stored only where both forms restore alike: summaries of one stored form lend the same functions.
  const storedAlike = later.pending !== undefined && later.pending.restore === pending?.restore;
  const others = [...later.relations.keys(), ...(later.pending?.stored.keys() ?? [])];
  for (const otherId of others) {
    const before = relationTally(merged, otherId);
    const stored = later.pending?.stored.get(otherId);
    if (before === undefined && stored !== undefined && storedAlike) {
      pending!.stored.set(otherId, stored);
      continue;
    }
    const after = relationTally(later, otherId)!;
    merged.relations.set(otherId, before === undefined ? after : mergeTallies(before, after));
  }
  return merged;
};

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byOther = (a: RelationState, b: RelationState): number => byText(a.otherId, b.otherId);

const relationAnswers = (summary: ActorSummary): RelationState[] => {
  const answers: RelationState[] = [];
  for (const [otherId, tally] of summary.relations) {
    answers.push({
      otherId,
      developmentCount: tally.developmentCount,
      toneSum: tally.toneSum,
      toneCount: tally.toneCount,
      lastTone: tally.lastTone?.ranked[0]?.value,
      lastDevelopmentId: tally.last.ranked[0]!.developmentId,
    });
  }
  const { pending } = summary;
  if (pending) for (const [otherId, stored] of pending.stored) answers.push(pending.answer(otherId, stored));
  return answers;
};

/** A complete summary's answer, in a fixed order: a map fills in the order its fold met its keys. */
export const summaryAnswer = (summary: ActorSummary) => ({
  positions: [...summary.positions.values()]
    .map((latest) => latest.ranked[0]!.value)
    .sort((a, b) => byText(a.topicId, b.topicId)),
  relations: relationAnswers(summary).sort(byOther),
  meetingIds: [...summary.meetings.keys()].sort(byText),
  developmentCount: summary.developmentCount,
  lastActiveAt: summary.lastActive?.ranked[0]?.value ?? null,
});
