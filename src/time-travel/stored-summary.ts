import type { LogPosition } from '../../events/envelope.js';
import type { Stance } from '../../events/index.js';
import type { PositionState } from '../domain/positions.js';
import type { Place } from '../read-store/read-model-store.js';
import type { ActorSummary, Latest, RelationTally } from './actor-summary.js';

/**
 * An actor summary as a snapshot stores it: arrays of plain values, without the keys, objects and bigints of the
 * summary in the heap. A busy actor's summary has thousands of keys with three latest contributions each, and a
 * question decodes its snapshot before anything else: in this form it is about a third of the JSON, read without
 * the record codec's tagged values. `restoreSummary` gives a summary the caller owns (the stored form is shared
 * through the cache and never changed).
 */
export interface StoredSummary {
  /** The form's version: a snapshot of another form is refolded, never misread. */
  readonly v: typeof FORM;
  readonly n: number;
  readonly a: StoredLatest | 0;
  /** [topicId, latest stance] */
  readonly p: readonly (readonly [string, StoredLatest])[];
  /** [otherId, developmentCount, toneSum, toneCount, last, lastTone or 0] */
  readonly r: readonly (readonly [string, number, number, number, StoredLatest, StoredLatest | 0])[];
  /** [meetingId, count] */
  readonly m: readonly (readonly [string, number])[];
}

/** [count, then per kept contribution: occurredAtMs, record position, developmentId, value] */
type StoredLatest = readonly unknown[];

const FORM = 1;

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

const storeLatest = <V>(latest: Latest<V>, value: (value: V) => unknown): StoredLatest => {
  const stored: unknown[] = [latest.count];
  for (const item of latest.ranked) {
    stored.push(
      item.place.occurredAtMs,
      positionText(item.place.recordPosition),
      item.developmentId,
      value(item.value),
    );
  }
  return stored;
};

const restoreLatest = <V>(stored: StoredLatest, value: (stored: unknown, place: Place, id: string) => V): Latest<V> => {
  const ranked: Latest<V>['ranked'] = [];
  for (let at = 1; at < stored.length; at += 4) {
    const place: Place = {
      occurredAtMs: stored[at] as number,
      recordPosition: positionOf(stored[at + 1] as string),
    };
    const developmentId = stored[at + 2] as string;
    ranked.push({ place, developmentId, value: value(stored[at + 3], place, developmentId) });
  }
  return { count: stored[0] as number, ranked };
};

const same = <V>(value: V): V => value;
const none = (): null => null;

export const storeSummary = (summary: ActorSummary): StoredSummary => ({
  v: FORM,
  n: summary.developmentCount,
  a: summary.lastActive ? storeLatest(summary.lastActive, same) : 0,
  // A stance keeps what the key and the contribution do not already say.
  p: [...summary.positions].map(([topicId, latest]) => [
    topicId,
    storeLatest(latest, (position) => [position.stance, position.since, position.summary ?? null]),
  ]),
  r: [...summary.relations].map(([otherId, tally]) => [
    otherId,
    tally.developmentCount,
    tally.toneSum,
    tally.toneCount,
    storeLatest(tally.last, none),
    tally.lastTone ? storeLatest(tally.lastTone, same) : 0,
  ]),
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
  relations: new Map(
    stored.r.map(([otherId, developmentCount, toneSum, toneCount, last, lastTone]): [string, RelationTally] => [
      otherId,
      {
        developmentCount,
        toneSum,
        toneCount,
        last: restoreLatest(last, none),
        lastTone: lastTone === 0 ? undefined : restoreLatest(lastTone, (value) => value as number),
      },
    ]),
  ),
  meetings: new Map(stored.m),
});
