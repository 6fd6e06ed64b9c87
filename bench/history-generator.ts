/**
 * A seeded, reproducible generator of realistic synthetic histories, as commands for the one write path.
 *
 *   npx tsx bench/history-generator.ts --developments N --seed S --data-dir DIR [--actors 2000] [--topics 300]
 *
 * writes the history into DIR/timeline.db through createCommandBus (the command handlers, the catalog store), and
 * prints its progress to stderr, one plain line at a time.
 *
 * What the history looks like (all draws from one sfc32 stream seeded from --seed, never Math.random, so the same
 * options give the same commands):
 * - a cast first: every actor registered (persons, states, organizations, groups), topics opened (a fifth of them
 *   roots opened in 2014, the rest under a parent, opened later), roles assigned to most persons;
 * - then the developments, in recording order: occurredAt walks from 2015 to 2025 with a little jitter, so the log
 *   is mostly in world order, but 5% arrive late (occurredAt months or years before the ones recorded around
 *   them) and 2% share the exact instant of the development before them; DAY/MONTH/YEAR precisions fall on
 *   midnight, the first of the month, New Year, which makes more ties;
 * - actors and topics are picked with a Zipf law (exponent 1.1 by default) over a seeded shuffle of the ids, so a
 *   few are very active and most are rarely named; 1 to 4 participants, SOURCE then TARGET (then either);
 * - ~20% of developments assert positions (stances of participants on the development's topics), ~3% carry a
 *   meeting step over ~2,000 meeting ids, ~70% a tone, some quotes, modes, locations, CAMEO codes;
 * - interleaved with them: 1% corrections (a patch of occurredAt, positions, tone or the meeting step, at the
 *   development's current revision), 0.3% retractions (at its revision; nothing touches it afterwards), 2%
 *   verifications, a few topic status changes. Their targets are drawn from the last 20,000 developments, the
 *   recent ones more often.
 *
 * The commands are `{ command, input }` with the input exactly as the contract's mutation input (instants as ISO
 * strings, as the NDJSON importer hands them in).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import {
  DEVELOPMENT_KINDS,
  MEETING_STATUSES,
  STANCES,
  TOPIC_STATUSES,
  type ActorKind,
  type DevelopmentKind,
  type MeetingStatus,
} from '../events/vocabulary.js';
import { createCommandBus, type CommandName } from '../src/application/commands/index.js';
import type {
  AssignRoleInput,
  ChangeTopicStatusInput,
  CorrectDevelopmentInput,
  OpenTopicInput,
  RecordDevelopmentInput,
  RegisterActorInput,
  RetractDevelopmentInput,
  VerifyDevelopmentInput,
} from '../src/application/input-schemas.js';
import { withEventCatalog } from '../src/store/catalog-store.js';
import { DATABASE_FILE, openSqliteEventStore } from '../src/store/sqlite/sqlite-event-store.js';

// ---------------------------------------------------------------- commands

/** The input of each command as its mutation takes it (before the schema's transforms). */
export interface CommandInputs {
  registerActor: z.input<typeof RegisterActorInput>;
  assignRole: z.input<typeof AssignRoleInput>;
  openTopic: z.input<typeof OpenTopicInput>;
  changeTopicStatus: z.input<typeof ChangeTopicStatusInput>;
  recordDevelopment: z.input<typeof RecordDevelopmentInput>;
  correctDevelopment: z.input<typeof CorrectDevelopmentInput>;
  verifyDevelopment: z.input<typeof VerifyDevelopmentInput>;
  retractDevelopment: z.input<typeof RetractDevelopmentInput>;
}

export type GeneratedCommand = {
  [K in CommandName]: { readonly command: K; readonly input: CommandInputs[K] };
}[CommandName];

type RecordInput = CommandInputs['recordDevelopment'];
type PositionIn = NonNullable<RecordInput['positions']>[number];
type MeetingIn = NonNullable<RecordInput['meeting']>;

// ---------------------------------------------------------------- options

export interface HistoryOptions {
  readonly developments: number;
  readonly seed: number;
  readonly actors: number;
  readonly topics: number;
  readonly meetings: number;
  /** The exponent of the Zipf law of activity over actors and topics. */
  readonly zipfExponent: number;
  /** Valid time spans [from, to). */
  readonly from: string;
  readonly to: string;
  /** Per recorded development. */
  readonly lateFraction: number;
  readonly tieFraction: number;
  readonly correctionFraction: number;
  readonly retractionFraction: number;
  readonly verificationFraction: number;
  readonly positionFraction: number;
  readonly meetingFraction: number;
  readonly toneFraction: number;
  readonly topicStatusFraction: number;
  /** Corrections, verifications and retractions pick their target among this many latest developments. */
  readonly window: number;
}

export const DEFAULT_HISTORY: HistoryOptions = {
  developments: 1_000_000,
  seed: 1,
  actors: 2_000,
  topics: 300,
  meetings: 2_000,
  zipfExponent: 1.1,
  from: '2015-01-01T00:00:00.000Z',
  to: '2026-01-01T00:00:00.000Z',
  lateFraction: 0.05,
  tieFraction: 0.02,
  correctionFraction: 0.01,
  retractionFraction: 0.003,
  verificationFraction: 0.02,
  positionFraction: 0.2,
  meetingFraction: 0.03,
  toneFraction: 0.7,
  topicStatusFraction: 0.0005,
  window: 20_000,
};

export const historyOptions = (overrides: Partial<HistoryOptions> = {}): HistoryOptions => ({
  ...DEFAULT_HISTORY,
  ...overrides,
});

// ---------------------------------------------------------------- randomness

/** sfc32, seeded through splitmix32: small, fast, and good enough for synthetic data. */
export const createRandom = (seed: number) => {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const int = (n: number): number => Math.floor(next() * n);
  return {
    /** Uniform in [0, 1). */
    next,
    /** Uniform integer in [0, n). */
    int,
    between: (low: number, high: number): number => low + next() * (high - low),
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[int(items.length)]!,
    /** Picks by weight: weights need not sum to 1. */
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((sum, [, weight]) => sum + weight, 0);
      let u = next() * total;
      for (const [item, weight] of items) {
        u -= weight;
        if (u < 0) return item;
      }
      return items.at(-1)![0];
    },
    shuffle: <T>(items: T[]): T[] => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [items[i], items[j]] = [items[j]!, items[i]!];
      }
      return items;
    },
  };
};
export type Random = ReturnType<typeof createRandom>;

/** Rank r (0-based) has weight (r + 1)^-s; draws a rank by binary search over the cumulative weights. */
export const createZipf = (n: number, exponent: number) => {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let rank = 0; rank < n; rank++) {
    total += (rank + 1) ** -exponent;
    cumulative[rank] = total;
  }
  return {
    /** The share of draws that land on `rank`. */
    probability: (rank: number): number => (rank + 1) ** -exponent / total,
    draw: (random: Random): number => {
      const u = random.next() * total;
      let low = 0;
      let high = n - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (cumulative[middle]! < u) low = middle + 1;
        else high = middle;
      }
      return low;
    },
  };
};

// ---------------------------------------------------------------- the cast

export interface CastActor {
  readonly id: string;
  readonly name: string;
  readonly kind: ActorKind;
  readonly country: string;
}

export interface CastTopic {
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

const word = (random: Random, syllables: number): string =>
  capitalize(Array.from({ length: syllables }, () => random.pick(SYLLABLES)).join(''));

const ORGANIZATION_WORDS = ['Ministry', 'Council', 'Agency', 'Union', 'Alliance', 'Bank', 'Committee', 'Institute'];
const GROUP_WORDS = ['Front', 'Movement', 'Brigade', 'Party', 'Coalition', 'Network'];
const TOPIC_WORDS = [
  'talks', 'sanctions', 'ceasefire', 'energy', 'trade', 'missiles', 'border', 'aid', 'elections', 'grain',
  'pipeline', 'refugees', 'tariffs', 'nuclear', 'prisoners', 'maritime', 'debt', 'cyber', 'water', 'oil',
]; // prettier-ignore
const ROLE_TITLES = [
  'President', 'Prime Minister', 'Foreign Minister', 'Defence Minister', 'Ambassador', 'Special Envoy',
  'National Security Adviser', 'Spokesperson', 'Finance Minister', 'Secretary General',
]; // prettier-ignore

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

const DAY_MS = 86_400_000;
const YEAR_MS = 365.25 * DAY_MS;

export const actorId = (index: number): string => `actor-${pad(index + 1, 4)}`;
export const topicId = (index: number): string => `topic-${pad(index + 1, 3)}`;
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

// ---------------------------------------------------------------- developments

/** How often each kind comes up, relative to 1: statements and consultations are the bulk of diplomacy. */
const KIND_FREQUENCY: Partial<Record<DevelopmentKind, number>> = {
  STATEMENT: 8,
  CONSULT: 6,
  CLAIM: 3,
  APPEAL: 3,
  REQUEST: 3,
  ACCUSE: 3,
  AGREE: 2,
  COOPERATE: 2,
  SUPPORT: 2,
};
const KIND_WEIGHTS = DEVELOPMENT_KINDS.map((kind) => [kind, KIND_FREQUENCY[kind] ?? 1] as const);
/** A rough Goldstein-style centre of tone per kind: cooperative kinds are positive, coercive ones negative. */
const KIND_TONE: Partial<Record<DevelopmentKind, number>> = {
  AGREE: 5,
  COOPERATE: 6,
  AID: 7,
  SUPPORT: 4,
  CONSULT: 2,
  CONCEDE: 3,
  APPEAL: 1,
  ACCUSE: -4,
  REJECT: -4,
  THREATEN: -6,
  PROTEST: -5,
  SANCTION: -7,
  MOBILIZE: -6,
  COERCE: -7,
  ASSAULT: -9,
  DENIAL: -2,
};
const VERBS: Record<DevelopmentKind, string> = {
  STATEMENT: 'comments on',
  CLAIM: 'claims about',
  DENIAL: 'denies',
  APPEAL: 'appeals to',
  AGREE: 'agrees with',
  CONSULT: 'meets',
  SUPPORT: 'backs',
  CONCEDE: 'concedes to',
  COOPERATE: 'works with',
  AID: 'sends aid to',
  RETREAT: 'backs down before',
  REQUEST: 'asks',
  ACCUSE: 'accuses',
  REJECT: 'rejects',
  THREATEN: 'threatens',
  PROTEST: 'protests against',
  SANCTION: 'sanctions',
  MOBILIZE: 'mobilizes against',
  COERCE: 'pressures',
  ASSAULT: 'strikes',
};
const PUBLISHERS = ['Reuters', 'AP', 'AFP', 'BBC', 'Al Jazeera', 'TASS', 'Kyiv Independent', 'Politico', 'DW', 'NHK'];
const MODES = ['phone', 'visit', 'third-party', 'video', 'written'];
const CITIES = ['Geneva', 'Vienna', 'Istanbul', 'Doha', 'Riyadh', 'Budapest', 'Anchorage', 'Brussels', 'New York'];
const REASONS = ['the date was wrong', 'a source gave more detail', 'misattributed stance', 'tone revised', 'typo'];

interface Recorded {
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

const NEXT_STATUS: Record<MeetingStatus, readonly (readonly [MeetingStatus, number])[]> = {
  PROPOSED: [
    ['AGREED', 5],
    ['PROPOSED', 1],
    ['CANCELLED', 1],
  ],
  AGREED: [
    ['SCHEDULED', 5],
    ['POSTPONED', 1],
    ['CANCELLED', 1],
  ],
  SCHEDULED: [
    ['HELD', 6],
    ['POSTPONED', 2],
    ['CANCELLED', 1],
  ],
  POSTPONED: [
    ['SCHEDULED', 4],
    ['CANCELLED', 1],
  ],
  HELD: [['PROPOSED', 1]],
  CANCELLED: [['PROPOSED', 1]],
};

const iso = (ms: number): string => new Date(ms).toISOString();

const round1 = (value: number): number => Math.round(value * 10) / 10;

const clampTone = (value: number): number => Math.max(-10, Math.min(10, round1(value)));

/** The instant a precision points at: midnight, the first of the month, New Year (UTC). */
const truncate = (ms: number, precision: 'INSTANT' | 'DAY' | 'MONTH' | 'YEAR'): number => {
  const date = new Date(ms);
  switch (precision) {
    case 'INSTANT':
      return Math.floor(ms / 60_000) * 60_000;
    case 'DAY':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case 'MONTH':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'YEAR':
      return Date.UTC(date.getUTCFullYear(), 0, 1);
  }
};

/** What the generator made, by command. */
export type HistoryCounts = Record<CommandName, number>;

export const emptyCounts = (): HistoryCounts => ({
  registerActor: 0,
  assignRole: 0,
  openTopic: 0,
  changeTopicStatus: 0,
  recordDevelopment: 0,
  correctDevelopment: 0,
  verifyDevelopment: 0,
  retractDevelopment: 0,
});

/**
 * The commands of a whole history, in the order they are to be run: the cast, then the developments with
 * corrections, verifications, retractions and topic status changes in between. Lazy: a million developments
 * never sit in memory at once (only the last `window` of them).
 */
export function* historyCommands(overrides: Partial<HistoryOptions> = {}): Generator<GeneratedCommand> {
  const options = historyOptions(overrides);
  const random = createRandom(options.seed);
  const cast = createCast(options, random);
  const { actors, topics } = cast;
  const from = Date.parse(options.from);
  const to = Date.parse(options.to);
  const span = to - from;

  // The cast: actors, topics (a parent before its children), roles.
  for (const actor of actors) {
    const aliases = random.chance(0.3) ? [`${actor.name.split(' ')[0]} ${word(random, 1)}`] : undefined;
    const cameoCode =
      actor.kind === 'STATE'
        ? actor.country
        : actor.kind === 'PERSON'
          ? random.chance(0.5)
            ? `${actor.country}GOV`
            : undefined
          : random.chance(0.4)
            ? `${actor.country}${random.pick(['GOV', 'MIL', 'BUS', 'NGO', 'IGO'])}`
            : undefined;
    yield {
      command: 'registerActor',
      input: {
        id: actor.id,
        name: actor.name,
        kind: actor.kind,
        ...(aliases && { aliases }),
        ...(cameoCode && { cameoCode }),
        country: actor.country,
      },
    };
  }
  for (const topic of topics) {
    yield {
      command: 'openTopic',
      input: {
        id: topic.id,
        title: topic.title,
        ...(random.chance(0.5) && { description: `Everything about ${topic.title.toLowerCase()}.` }),
        ...(topic.parentIndex !== null && { parentId: topics[topic.parentIndex]!.id }),
        openedAt: iso(topic.openedAtMs),
      },
    };
  }
  const organizations = actors.filter((actor) => actor.kind === 'STATE' || actor.kind === 'ORGANIZATION');
  for (const actor of actors) {
    if (actor.kind !== 'PERSON' || !random.chance(0.6)) continue;
    const roleCount = 1 + random.int(3);
    let since = from - 7 * YEAR_MS + random.next() * 5 * YEAR_MS;
    for (let r = 0; r < roleCount; r++) {
      const last = r === roleCount - 1;
      const until = last ? (random.chance(0.5) ? since + random.between(1, 6) * YEAR_MS : undefined) : undefined;
      const next = since + random.between(1, 5) * YEAR_MS;
      const end = last ? until : next;
      yield {
        command: 'assignRole',
        input: {
          actorId: actor.id,
          title: random.pick(ROLE_TITLES),
          ...(organizations.length > 0 && random.chance(0.7) && { organizationId: random.pick(organizations).id }),
          since: iso(truncate(since, 'DAY')),
          ...(end !== undefined && { until: iso(truncate(end, 'DAY')) }),
        },
      };
      since = next;
    }
  }

  // The developments.
  const drawActor = (): number => cast.actorsByRank[cast.actorZipf.draw(random)]!;
  const drawTopic = (): number => cast.topicsByRank[cast.topicZipf.draw(random)]!;
  const rootOf = (index: number): number => {
    let topic = topics[index]!;
    while (topic.parentIndex !== null) topic = topics[topic.parentIndex]!;
    return topics.indexOf(topic);
  };
  const meetings: MeetingLife[] = Array.from({ length: options.meetings }, () => ({
    status: null,
    scheduledForMs: 0,
  }));
  const recent: Recorded[] = [];
  let recentStart = 0;
  let previousOccurred = { ms: from, precision: 'INSTANT' as 'INSTANT' | 'DAY' | 'MONTH' | 'YEAR' };

  /** A development among the recent ones, the newest more often, that nothing retracted yet. */
  const pickRecent = (): Recorded | undefined => {
    const size = recent.length - recentStart;
    for (let attempt = 0; attempt < 8 && size > 0; attempt++) {
      const back = Math.floor(random.next() ** 3 * size);
      const candidate = recent[recent.length - 1 - back]!;
      if (!candidate.retracted) return candidate;
    }
    return undefined;
  };

  const makeDevelopment = (ordinal: number): Recorded => {
    const baseline = from + ((ordinal + 0.5) / options.developments) * span + random.between(-1.5, 1.5) * DAY_MS;
    let precision = random.weighted<'INSTANT' | 'DAY' | 'MONTH' | 'YEAR'>([
      ['INSTANT', 55],
      ['DAY', 35],
      ['MONTH', 7],
      ['YEAR', 3],
    ]);
    let occurredMs: number;
    if (ordinal > 0 && random.chance(options.tieFraction)) {
      occurredMs = previousOccurred.ms;
      precision = previousOccurred.precision;
    } else {
      let raw = baseline;
      if (random.chance(options.lateFraction)) {
        // Log-uniform between a month and three years back: most late reports are weeks late, some are archives.
        raw = baseline - Math.exp(random.between(Math.log(30 * DAY_MS), Math.log(3 * YEAR_MS)));
      }
      occurredMs = truncate(Math.min(to - 1, Math.max(from, raw)), precision);
    }
    occurredMs = Math.max(from, occurredMs);
    previousOccurred = { ms: occurredMs, precision };

    const participantCount = random.weighted([
      [1, 25],
      [2, 50],
      [3, 15],
      [4, 10],
    ]);
    const chosen: number[] = [];
    for (let attempt = 0; chosen.length < participantCount && attempt < 20; attempt++) {
      const actor = drawActor();
      if (!chosen.includes(actor)) chosen.push(actor);
    }
    const participants = chosen.map((actor, i) => ({
      actorId: actors[actor]!.id,
      role: i === 0 ? ('SOURCE' as const) : i === 1 ? ('TARGET' as const) : random.pick(['SOURCE', 'TARGET'] as const),
    }));

    const topicCount = random.weighted([
      [1, 60],
      [2, 30],
      [3, 10],
    ]);
    const topicIndexes: number[] = [];
    for (let attempt = 0; topicIndexes.length < topicCount && attempt < 20; attempt++) {
      let topic = drawTopic();
      // A topic cannot be named before it opens: such a development is about the broader root topic then.
      if (topics[topic]!.openedAtMs > occurredMs) topic = rootOf(topic);
      if (!topicIndexes.includes(topic)) topicIndexes.push(topic);
    }
    const topicIds = topicIndexes.map((topic) => topics[topic]!.id);
    const earliestMs = Math.max(...topicIndexes.map((topic) => topics[topic]!.openedAtMs));

    const kind = random.weighted(KIND_WEIGHTS);
    const source = actors[chosen[0]!]!;
    const target = chosen[1] === undefined ? undefined : actors[chosen[1]]!;
    const title = `${source.name} ${VERBS[kind]} ${target?.name ?? topics[topicIndexes[0]!]!.title}`;

    const positions: PositionIn[] = [];
    if (random.chance(options.positionFraction)) {
      const count = 1 + (random.chance(0.3) ? 1 : 0);
      for (let attempt = 0; positions.length < count && attempt < 6; attempt++) {
        const position: PositionIn = {
          actorId: random.pick(participants).actorId,
          topicId: random.pick(topicIds),
          stance: random.pick(STANCES),
          ...(random.chance(0.3) && { summary: `${source.name} states a view on ${topicIds[0]}.` }),
        };
        if (!positions.some((p) => p.actorId === position.actorId && p.topicId === position.topicId)) {
          positions.push(position);
        }
      }
    }

    let meeting: MeetingIn | undefined;
    if (random.chance(options.meetingFraction)) {
      const index = random.int(options.meetings);
      const life = meetings[index]!;
      const first = life.status === null;
      const status: MeetingStatus = first ? 'PROPOSED' : random.weighted(NEXT_STATUS[life.status!]);
      if (first || status === 'SCHEDULED' || status === 'POSTPONED' || (status === 'PROPOSED' && random.chance(0.5))) {
        life.scheduledForMs = truncate(occurredMs + random.between(7, 120) * DAY_MS, 'DAY');
      }
      life.status = status;
      meeting = {
        id: meetingId(index),
        status,
        ...(first && {
          title: `${source.name} and ${target?.name ?? 'partners'} on ${topics[topicIndexes[0]!]!.title}`,
          location: random.pick(CITIES),
          participantIds: participants.map((p) => p.actorId),
          topicIds,
        }),
        ...((first || status === 'SCHEDULED' || status === 'POSTPONED') && { scheduledFor: iso(life.scheduledForMs) }),
      };
    }

    const sourceCount = random.weighted([
      [1, 70],
      [2, 25],
      [0, 5],
    ]);
    const sources = Array.from({ length: sourceCount }, (_, i) => {
      const publisher = random.pick(PUBLISHERS);
      return {
        publisher,
        url: `https://news.example/${publisher.toLowerCase().replaceAll(' ', '-')}/${developmentId(ordinal)}-${i}`,
        ...(random.chance(0.3) && { publishedAt: iso(occurredMs + random.between(0, 2) * DAY_MS) }),
      };
    });

    const content: RecordInput = {
      id: developmentId(ordinal),
      kind,
      ...(kind === 'CONSULT' && random.chance(0.6) && { mode: random.pick(MODES) }),
      title,
      ...(random.chance(0.4) && { summary: `${title}, according to ${sources[0]?.publisher ?? 'officials'}.` }),
      occurredAt: iso(occurredMs),
      precision,
      ...(random.chance(0.2) && { location: random.pick(CITIES) }),
      participants,
      topicIds,
      ...(random.chance(0.1) && { quotes: [{ speakerId: source.id, text: `We will not accept this (${kind}).` }] }),
      sources,
      ...(positions.length > 0 && { positions }),
      ...(meeting && { meeting }),
      ...(random.chance(options.toneFraction) && {
        tone: clampTone((KIND_TONE[kind] ?? 0) + random.between(-3, 3)),
      }),
      ...(random.chance(0.6) && {
        cameoCode: `${pad(DEVELOPMENT_KINDS.indexOf(kind) + 1, 2)}${random.chance(0.5) ? random.int(10) : ''}`,
      }),
    };
    return { ordinal, id: content.id!, content, earliestMs, revision: 0, retracted: false };
  };

  /** A patch that surely changes something, and the content after it. */
  const makeCorrection = (target: Recorded): GeneratedCommand => {
    const content = target.content;
    const what = random.weighted<'occurredAt' | 'positions' | 'tone' | 'meeting'>([
      ['occurredAt', 40],
      ['positions', 20],
      ['tone', 25],
      ['meeting', content.meeting ? 15 : 0],
    ]);
    let patch: CommandInputs['correctDevelopment']['patch'];
    if (what === 'occurredAt') {
      const old = Date.parse(content.occurredAt as string);
      let next = Math.floor((old + random.between(-30, 30) * DAY_MS) / 60_000) * 60_000;
      next = Math.min(to - 1, Math.max(from, target.earliestMs, next));
      if (next === old) next = old + 3_600_000;
      patch = { occurredAt: iso(next), precision: 'INSTANT' };
    } else if (what === 'positions') {
      const existing = content.positions ?? [];
      if (existing.length > 0 && random.chance(0.2)) {
        // Withdrawn stances: an empty list (null, which the patch input allows, is refused by the event schema).
        patch = { positions: [] };
      } else if (existing.length > 0) {
        const [first, ...rest] = existing;
        const stance = random.pick(STANCES.filter((s) => s !== first!.stance));
        patch = { positions: [{ ...first!, stance }, ...rest] };
      } else {
        patch = {
          positions: [
            {
              actorId: content.participants[0]!.actorId,
              topicId: content.topicIds[0]!,
              stance: random.pick(STANCES),
            },
          ],
        };
      }
    } else if (what === 'tone') {
      const old = content.tone ?? null;
      let tone = clampTone(random.between(-10, 10));
      if (tone === old) tone = old > 0 ? clampTone(old - 1) : clampTone(old + 1);
      patch = { tone };
    } else {
      const step = content.meeting!;
      const status = random.pick(MEETING_STATUSES.filter((s) => s !== step.status));
      patch = { meeting: { ...step, status } };
    }
    const command: GeneratedCommand = {
      command: 'correctDevelopment',
      input: { id: target.id, expectedRevision: target.revision, reason: random.pick(REASONS), patch },
    };
    const next: Record<string, unknown> = { ...content };
    for (const [field, value] of Object.entries(patch)) {
      if (value === null) delete next[field];
      else if (value !== undefined) next[field] = value;
    }
    target.content = next as RecordInput;
    target.revision += 1;
    return command;
  };

  for (let ordinal = 0; ordinal < options.developments; ordinal++) {
    const development = makeDevelopment(ordinal);
    yield { command: 'recordDevelopment', input: development.content };
    recent.push(development);
    if (recent.length - recentStart > options.window) recentStart++;
    // Drop the forgotten head now and then rather than shifting a big array on every step.
    if (recentStart > 4_096) {
      recent.splice(0, recentStart);
      recentStart = 0;
    }

    if (random.chance(options.correctionFraction)) {
      const target = pickRecent();
      if (target) yield makeCorrection(target);
    }
    if (random.chance(options.verificationFraction)) {
      const target = pickRecent();
      if (target) {
        const withRevision = random.chance(0.5);
        const byActor = random.chance(0.6) ? actors[drawActor()]!.id : undefined;
        const publisher = random.pick(PUBLISHERS);
        yield {
          command: 'verifyDevelopment',
          input: {
            id: target.id,
            ...(withRevision && { expectedRevision: target.revision }),
            status: random.weighted([
              ['CONFIRMED', 6],
              ['DISPUTED', 3],
              ['DENIED', 1],
            ]),
            ...(byActor && { byActorId: byActor }),
            summary: `${publisher} checked the report.`,
            ...(random.chance(0.3) && { source: { publisher } }),
          },
        };
        target.revision += 1;
      }
    }
    if (random.chance(options.retractionFraction)) {
      const target = pickRecent();
      if (target) {
        yield {
          command: 'retractDevelopment',
          input: { id: target.id, expectedRevision: target.revision, reason: 'the report was false' },
        };
        target.revision += 1;
        target.retracted = true;
      }
    }
    if (random.chance(options.topicStatusFraction)) {
      const topic = topics[drawTopic()]!;
      const at = Math.max(topic.openedAtMs, from + ((ordinal + 0.5) / options.developments) * span);
      yield {
        command: 'changeTopicStatus',
        input: {
          topicId: topic.id,
          status: random.pick(TOPIC_STATUSES.filter((status) => status !== 'EMERGING')),
          at: iso(Math.floor(at)),
          ...(random.chance(0.5) && { reason: 'as the talks went' }),
        },
      };
    }
  }
}

// ---------------------------------------------------------------- writing a history

export interface WriteHistoryOptions extends Partial<HistoryOptions> {
  /** The data directory; the log goes to DIR/timeline.db. */
  readonly dataDir: string;
  /** Commands between two progress reports (and two turns of the event loop). */
  readonly batchSize?: number;
  /** Called after each batch. */
  readonly onProgress?: (progress: HistoryProgress) => void;
  /** Refuse to write into a log that has events already (default true). */
  readonly requireEmpty?: boolean;
}

export interface HistoryProgress {
  readonly commands: number;
  readonly developments: number;
  readonly elapsedMs: number;
  readonly counts: HistoryCounts;
}

export interface HistoryWritten extends HistoryProgress {
  readonly file: string;
  readonly eventsAppended: number;
}

export const COMMAND_META = { keyName: 'history-generator' } as const;

/**
 * Runs a history's commands through createCommandBus on the data directory's SQLite log, one after the other, in
 * batches of `batchSize` that commit together (inOneCommit), as a bulk import does.
 */
export const writeHistory = async ({
  dataDir,
  batchSize = 1_000,
  onProgress,
  requireEmpty = true,
  ...overrides
}: WriteHistoryOptions): Promise<HistoryWritten> => {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, DATABASE_FILE);
  const store = withEventCatalog(openSqliteEventStore({ file }));
  try {
    if (requireEmpty && (await store.headPosition()) !== null) {
      throw new Error(`${file} holds events already: generate into an empty data directory`);
    }
    const bus = createCommandBus({ store });
    const counts = emptyCounts();
    let commands = 0;
    let eventsAppended = 0;
    const started = performance.now();
    const progress = (): HistoryProgress => ({
      commands,
      developments: counts.recordDevelopment,
      elapsedMs: performance.now() - started,
      counts: { ...counts },
    });
    const run = async ({ command, input }: GeneratedCommand): Promise<void> => {
      let result;
      try {
        result = await bus(command, input, COMMAND_META);
      } catch (error) {
        throw new Error(`command ${commands + 1} (${command} ${JSON.stringify(input).slice(0, 400)}) failed`, {
          cause: error,
        });
      }
      eventsAppended += result.appended;
      counts[command] += 1;
      commands += 1;
    };
    let batch: GeneratedCommand[] = [];
    const flush = async (): Promise<void> => {
      const pending = batch;
      batch = [];
      await bus.inOneCommit(async () => {
        for (const command of pending) await run(command);
      });
      onProgress?.(progress());
      // Let timers and signals through between batches.
      await new Promise<void>((resolve) => setImmediate(resolve));
    };
    for (const command of historyCommands(overrides)) {
      batch.push(command);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    const done = progress();
    onProgress?.(done);
    return { ...done, file, eventsAppended };
  } finally {
    await store.close();
  }
};

// ---------------------------------------------------------------- CLI

const USAGE = `usage: npx tsx bench/history-generator.ts --developments N --seed S --data-dir DIR
       [--actors 2000] [--topics 300] [--meetings 2000] [--zipf 1.1] [--batch 1000]
  writes the history into DIR/timeline.db through the command handlers (DIR must hold no events yet)`;

const positiveInteger = (raw: string | undefined, name: string, fallback: number): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return value;
};

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      developments: { type: 'string' },
      seed: { type: 'string' },
      'data-dir': { type: 'string' },
      actors: { type: 'string' },
      topics: { type: 'string' },
      meetings: { type: 'string' },
      zipf: { type: 'string' },
      batch: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || values['data-dir'] === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const zipf = values.zipf === undefined ? DEFAULT_HISTORY.zipfExponent : Number(values.zipf);
  if (!(zipf > 0 && zipf < 5)) throw new Error(`--zipf must be a number between 0 and 5, got ${values.zipf}`);
  const developments = positiveInteger(values.developments, 'developments', DEFAULT_HISTORY.developments);
  const dataDir = path.resolve(values['data-dir']);
  const every = Math.max(1, Math.round(developments / 50));
  let reported = 0;
  console.error(`history: ${developments} developments, seed ${values.seed ?? DEFAULT_HISTORY.seed}, into ${dataDir}`);
  const written = await writeHistory({
    dataDir,
    developments,
    seed: positiveInteger(values.seed, 'seed', DEFAULT_HISTORY.seed),
    actors: positiveInteger(values.actors, 'actors', DEFAULT_HISTORY.actors),
    topics: positiveInteger(values.topics, 'topics', DEFAULT_HISTORY.topics),
    meetings: positiveInteger(values.meetings, 'meetings', DEFAULT_HISTORY.meetings),
    zipfExponent: zipf,
    batchSize: positiveInteger(values.batch, 'batch', 1_000),
    onProgress: ({ developments: done, commands, elapsedMs }) => {
      if (done - reported < every && done < developments) return;
      reported = done;
      const rate = done / (elapsedMs / 1000);
      console.error(
        `history: ${done}/${developments} developments, ${commands} commands, ` +
          `${(elapsedMs / 1000).toFixed(1)} s, ${Math.round(rate)} developments/s`,
      );
    },
  });
  const seconds = written.elapsedMs / 1000;
  console.error(
    `history: done in ${seconds.toFixed(1)} s: ${written.commands} commands, ${written.eventsAppended} events ` +
      `(${Object.entries(written.counts)
        .map(([name, count]) => `${name} ${count}`)
        .join(', ')}), ${Math.round(written.developments / seconds)} developments/s, into ${written.file}`,
  );
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error('history generator failed:', error);
    process.exit(1);
  });
}
