import type { MeetingStatus } from '../../events/vocabulary.js';
import type { Precision } from './calendar.js';
import { createCast, type Cast } from './cast.js';
import { historyOptions, type HistoryOptions, type RecordInput } from './history-options.js';
import { createRandom, type Random } from './random.js';

/** Where the generation of a history stands: its one random stream, the cast, and what it has recorded so far. */

export interface Recorded {
  readonly ordinal: number;
  readonly id: string;
  /** The content as it stands after the corrections generated so far (as the command input, for patches). */
  content: RecordInput;
  /** The latest openedAt of the topics it names: occurredAt may not move before it. */
  readonly earliestMs: number;
  revision: number;
  retracted: boolean;
}

interface MeetingLife {
  status: MeetingStatus | null;
  scheduledForMs: number;
}

export interface Generation {
  readonly options: HistoryOptions;
  readonly random: Random;
  readonly cast: Cast;
  /** The valid time span [from, to), in ms. */
  readonly from: number;
  readonly to: number;
  readonly span: number;
  readonly meetings: MeetingLife[];
  /** The latest developments (from `recentStart` on): targets of corrections, verifications, retractions. */
  readonly recent: Recorded[];
  recentStart: number;
  /** The occurredAt of the development before, which a tie repeats. */
  previousOccurred: { ms: number; precision: Precision };
}

/** The cast is drawn first from the stream, then everything else, in the order the commands come. */
export const startGeneration = (overrides: Partial<HistoryOptions>): Generation => {
  const options = historyOptions(overrides);
  const random = createRandom(options.seed);
  const cast = createCast(options, random);
  const from = Date.parse(options.from);
  const to = Date.parse(options.to);
  return {
    options,
    random,
    cast,
    from,
    to,
    span: to - from,
    meetings: Array.from({ length: options.meetings }, () => ({ status: null, scheduledForMs: 0 })),
    recent: [],
    recentStart: 0,
    previousOccurred: { ms: from, precision: 'INSTANT' },
  };
};

/** An actor's index, the active ones more often (Zipf). */
export const drawActor = ({ cast, random }: Generation): number => cast.actorsByRank[cast.actorZipf.draw(random)]!;

export const drawTopic = ({ cast, random }: Generation): number => cast.topicsByRank[cast.topicZipf.draw(random)]!;

/** The root topic above a topic (itself if it is one). */
export const rootOf = ({ cast: { topics } }: Generation, index: number): number => {
  let topic = topics[index]!;
  while (topic.parentIndex !== null) topic = topics[topic.parentIndex]!;
  return topics.indexOf(topic);
};

/** A development among the recent ones, the newest more often, that nothing retracted yet. */
export const pickRecent = ({ recent, recentStart, random }: Generation): Recorded | undefined => {
  const size = recent.length - recentStart;
  for (let attempt = 0; attempt < 8 && size > 0; attempt++) {
    const back = Math.floor(random.next() ** 3 * size);
    const candidate = recent[recent.length - 1 - back]!;
    if (!candidate.retracted) return candidate;
  }
  return undefined;
};

/** Keeps a development among the recent ones, forgetting those past the window. */
export const remember = (generation: Generation, development: Recorded): void => {
  generation.recent.push(development);
  if (generation.recent.length - generation.recentStart > generation.options.window) generation.recentStart++;
  // Drop the forgotten head now and then rather than shifting a big array on every step.
  if (generation.recentStart > 4_096) {
    generation.recent.splice(0, generation.recentStart);
    generation.recentStart = 0;
  }
};
