import type { ActorKind } from '../../events/vocabulary.js';
import { DAY_MS, YEAR_MS } from './calendar.js';
import type { HistoryOptions } from './history-options.js';
import { createRandom, createZipf, type Random } from './random.js';

/** The actors and topics of a history, their names and ids, and how active each is. */

export interface CastActor {
  readonly id: string;
  readonly name: string;
  readonly kind: ActorKind;
  readonly country: string;
}

interface CastTopic {
  readonly id: string;
  readonly title: string;
  readonly parentIndex: number | null;
  readonly openedAtMs: number;
}

export interface Cast {
  readonly actors: readonly CastActor[];
  readonly topics: readonly CastTopic[];
  /** Actor indexes by activity rank: actorsByRank[0] is the most active. */
  readonly actorsByRank: readonly number[];
  readonly topicsByRank: readonly number[];
  readonly actorZipf: ReturnType<typeof createZipf>;
  readonly topicZipf: ReturnType<typeof createZipf>;
}

const COUNTRIES = [
  'USA', 'RUS', 'UKR', 'CHN', 'IND', 'ISR', 'HUN', 'DEU', 'FRA', 'GBR', 'POL', 'TUR', 'IRN', 'SAU', 'EGY',
  'QAT', 'JPN', 'KOR', 'PRK', 'BRA', 'ZAF', 'NGA', 'ETH', 'KEN', 'MEX', 'CAN', 'ITA', 'ESP', 'NLD', 'BEL',
  'SWE', 'FIN', 'NOR', 'DNK', 'AUT', 'CHE', 'GRC', 'ROU', 'BGR', 'SRB', 'BLR', 'GEO', 'ARM', 'AZE', 'KAZ',
  'UZB', 'PAK', 'AFG', 'IRQ', 'SYR', 'LBN', 'JOR', 'ARE', 'OMN', 'YEM', 'SDN', 'LBY', 'DZA', 'MAR', 'VEN',
]; // prettier-ignore

const SYLLABLES = [
  'ka', 'ro', 'mi', 'tan', 'vel', 'sor', 'dra', 'lin', 'po', 'zek', 'ma', 'rus', 'tev', 'ol', 'gar', 'ni',
  'bes', 'ul', 'kov', 'enz', 'ath', 'rid', 'mo', 'sha', 'lev', 'ir', 'pak', 'dun', 'el', 'vos',
]; // prettier-ignore

const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

export const word = (random: Random, syllables: number): string =>
  capitalize(Array.from({ length: syllables }, () => random.pick(SYLLABLES)).join(''));

const ORGANIZATION_WORDS = ['Ministry', 'Council', 'Agency', 'Union', 'Alliance', 'Bank', 'Committee', 'Institute'];
const GROUP_WORDS = ['Front', 'Movement', 'Brigade', 'Party', 'Coalition', 'Network'];
const TOPIC_WORDS = [
  'talks', 'sanctions', 'ceasefire', 'energy', 'trade', 'missiles', 'border', 'aid', 'elections', 'grain',
  'pipeline', 'refugees', 'tariffs', 'nuclear', 'prisoners', 'maritime', 'debt', 'cyber', 'water', 'oil',
]; // prettier-ignore

export const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const actorId = (index: number): string => `actor-${pad(index + 1, 4)}`;
const topicId = (index: number): string => `topic-${pad(index + 1, 3)}`;
export const meetingId = (index: number): string => `meeting-${pad(index + 1, 4)}`;
export const developmentId = (ordinal: number): string => `dev-${pad(ordinal + 1, 7)}`;

/** The actors and topics of a history, and who is active: a pure function of the options. */
export const createCast = (options: HistoryOptions, random: Random = createRandom(options.seed)): Cast => {
  const actors: CastActor[] = [];
  for (let i = 0; i < options.actors; i++) {
    const kind = random.weighted<ActorKind>([
      ['PERSON', 0.45],
      ['STATE', 0.1],
      ['ORGANIZATION', 0.35],
      ['GROUP', 0.1],
    ]);
    const country = random.pick(COUNTRIES);
    const name =
      kind === 'PERSON'
        ? `${word(random, 2)} ${word(random, 3)}`
        : kind === 'STATE'
          ? `Republic of ${word(random, 3)}`
          : kind === 'ORGANIZATION'
            ? `${word(random, 2)} ${random.pick(ORGANIZATION_WORDS)}`
            : `${word(random, 2)} ${random.pick(GROUP_WORDS)}`;
    actors.push({ id: actorId(i), name, kind, country });
  }
  const from = Date.parse(options.from);
  const rootCount = Math.max(1, Math.round(options.topics / 5));
  const topics: CastTopic[] = [];
  for (let i = 0; i < options.topics; i++) {
    const title = `${word(random, 2)} ${random.pick(TOPIC_WORDS)}`;
    if (i < rootCount) {
      // Roots open in the year before the history starts: any development can be on them.
      const openedAtMs = from - YEAR_MS + Math.floor(random.next() * (YEAR_MS - DAY_MS));
      topics.push({ id: topicId(i), title, parentIndex: null, openedAtMs });
      continue;
    }
    const parentIndex = random.int(i);
    const parent = topics[parentIndex]!;
    const span = Date.parse(options.to) - YEAR_MS - parent.openedAtMs;
    const openedAtMs = parent.openedAtMs + Math.floor(random.next() ** 2 * Math.max(DAY_MS, span));
    topics.push({ id: topicId(i), title, parentIndex, openedAtMs });
  }
  return {
    actors,
    topics,
    actorsByRank: random.shuffle(Array.from({ length: options.actors }, (_, i) => i)),
    topicsByRank: random.shuffle(Array.from({ length: options.topics }, (_, i) => i)),
    actorZipf: createZipf(options.actors, options.zipfExponent),
    topicZipf: createZipf(options.topics, options.zipfExponent),
  };
};
