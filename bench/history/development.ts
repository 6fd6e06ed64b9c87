import { DEVELOPMENT_KINDS, STANCES, type DevelopmentKind, type MeetingStatus } from '../../events/vocabulary.js';
import { DAY_MS, iso, truncate, YEAR_MS, type Precision } from './calendar.js';
import { developmentId, meetingId, pad, type CastActor } from './cast.js';
import { drawActor, drawTopic, rootOf, type Generation, type Recorded } from './generation.js';
import type { MeetingIn, PositionIn, RecordInput } from './history-options.js';
import { CITIES, clampTone, KIND_TONE, KIND_WEIGHTS, MODES, NEXT_STATUS, PUBLISHERS, VERBS } from './vocabulary.js';

/**
 * One recorded development: when (mostly in recording order, some late, some tied), who, about what, and what it
 * carries. Every draw comes from the generation's one stream, in a fixed order: the same options, the same history.
 */

type Participant = RecordInput['participants'][number];

/** occurredAt: the recording order's instant with a little jitter, 5% late, 2% tied with the one before. */
const drawOccurred = (g: Generation, ordinal: number): { occurredMs: number; precision: Precision } => {
  const { random, options, from, to } = g;
  const baseline = from + ((ordinal + 0.5) / options.developments) * g.span + random.between(-1.5, 1.5) * DAY_MS;
  let precision = random.weighted<Precision>([
    ['INSTANT', 55],
    ['DAY', 35],
    ['MONTH', 7],
    ['YEAR', 3],
  ]);
  let occurredMs: number;
  if (ordinal > 0 && random.chance(options.tieFraction)) {
    occurredMs = g.previousOccurred.ms;
    precision = g.previousOccurred.precision;
  } else {
    let raw = baseline;
    if (random.chance(options.lateFraction)) {
      // Log-uniform between a month and three years back: most late reports are weeks late, some are archives.
      raw = baseline - Math.exp(random.between(Math.log(30 * DAY_MS), Math.log(3 * YEAR_MS)));
    }
    occurredMs = truncate(Math.min(to - 1, Math.max(from, raw)), precision);
  }
  occurredMs = Math.max(from, occurredMs);
  g.previousOccurred = { ms: occurredMs, precision };
  return { occurredMs, precision };
};

/** 1 to 4 distinct actors, SOURCE then TARGET, then either. */
const drawParticipants = (g: Generation): { chosen: number[]; participants: Participant[] } => {
  const { random } = g;
  const participantCount = random.weighted([
    [1, 25],
    [2, 50],
    [3, 15],
    [4, 10],
  ]);
  const chosen: number[] = [];
  for (let attempt = 0; chosen.length < participantCount && attempt < 20; attempt++) {
    const actor = drawActor(g);
    if (!chosen.includes(actor)) chosen.push(actor);
  }
  const participants = chosen.map((actor, i) => ({
    actorId: g.cast.actors[actor]!.id,
    role: i === 0 ? ('SOURCE' as const) : i === 1 ? ('TARGET' as const) : random.pick(['SOURCE', 'TARGET'] as const),
  }));
  return { chosen, participants };
};

/** 1 to 3 distinct topics open by then, and the latest of their openings. */
const drawTopics = (g: Generation, occurredMs: number) => {
  const { random } = g;
  const { topics } = g.cast;
  const topicCount = random.weighted([
    [1, 60],
    [2, 30],
    [3, 10],
  ]);
  const topicIndexes: number[] = [];
  for (let attempt = 0; topicIndexes.length < topicCount && attempt < 20; attempt++) {
    let topic = drawTopic(g);
    // A topic cannot be named before it opens: such a development is about the broader root topic then.
    if (topics[topic]!.openedAtMs > occurredMs) topic = rootOf(g, topic);
    if (!topicIndexes.includes(topic)) topicIndexes.push(topic);
  }
  return {
    topicIndexes,
    topicIds: topicIndexes.map((topic) => topics[topic]!.id),
    earliestMs: Math.max(...topicIndexes.map((topic) => topics[topic]!.openedAtMs)),
  };
};

/** Stances of participants on the development's topics, for ~20% of developments. */
const drawPositions = (
  g: Generation,
  participants: readonly Participant[],
  topicIds: readonly string[],
  source: CastActor,
): PositionIn[] => {
  const { random } = g;
  const positions: PositionIn[] = [];
  if (!random.chance(g.options.positionFraction)) return positions;
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
  return positions;
};

interface MeetingContext {
  readonly occurredMs: number;
  readonly participants: readonly Participant[];
  readonly topicIds: string[];
  /** The meeting's title, if this step is its first. */
  readonly title: string;
}

/** A step of one of the meetings (~3% of developments), following its life: proposed, agreed, scheduled, held. */
const drawMeeting = (g: Generation, context: MeetingContext): MeetingIn | undefined => {
  const { random } = g;
  if (!random.chance(g.options.meetingFraction)) return undefined;
  const index = random.int(g.options.meetings);
  const life = g.meetings[index]!;
  const first = life.status === null;
  const status: MeetingStatus = first ? 'PROPOSED' : random.weighted(NEXT_STATUS[life.status!]);
  if (first || status === 'SCHEDULED' || status === 'POSTPONED' || (status === 'PROPOSED' && random.chance(0.5))) {
    life.scheduledForMs = truncate(context.occurredMs + random.between(7, 120) * DAY_MS, 'DAY');
  }
  life.status = status;
  return {
    id: meetingId(index),
    status,
    ...(first && {
      title: context.title,
      location: random.pick(CITIES),
      participantIds: context.participants.map((p) => p.actorId),
      topicIds: context.topicIds,
    }),
    ...((first || status === 'SCHEDULED' || status === 'POSTPONED') && { scheduledFor: iso(life.scheduledForMs) }),
  };
};

/** 0 to 2 sources, most developments one. */
const drawSources = ({ random }: Generation, ordinal: number, occurredMs: number) => {
  const sourceCount = random.weighted([
    [1, 70],
    [2, 25],
    [0, 5],
  ]);
  return Array.from({ length: sourceCount }, (_, i) => {
    const publisher = random.pick(PUBLISHERS);
    return {
      publisher,
      url: `https://news.example/${publisher.toLowerCase().replaceAll(' ', '-')}/${developmentId(ordinal)}-${i}`,
      ...(random.chance(0.3) && { publishedAt: iso(occurredMs + random.between(0, 2) * DAY_MS) }),
    };
  });
};

interface Drawn {
  readonly ordinal: number;
  readonly kind: DevelopmentKind;
  readonly title: string;
  readonly occurredMs: number;
  readonly precision: Precision;
  readonly participants: Participant[];
  readonly topicIds: string[];
  readonly source: CastActor;
  readonly positions: PositionIn[];
  readonly meeting: MeetingIn | undefined;
  readonly sources: ReturnType<typeof drawSources>;
}

/** The command's input, with the optional fields drawn in the order they are written. */
const contentOf = ({ random, options }: Generation, d: Drawn): RecordInput => ({
  id: developmentId(d.ordinal),
  kind: d.kind,
  ...(d.kind === 'CONSULT' && random.chance(0.6) && { mode: random.pick(MODES) }),
  title: d.title,
  ...(random.chance(0.4) && { summary: `${d.title}, according to ${d.sources[0]?.publisher ?? 'officials'}.` }),
  occurredAt: iso(d.occurredMs),
  precision: d.precision,
  ...(random.chance(0.2) && { location: random.pick(CITIES) }),
  participants: d.participants,
  topicIds: d.topicIds,
  ...(random.chance(0.1) && { quotes: [{ speakerId: d.source.id, text: `We will not accept this (${d.kind}).` }] }),
  sources: d.sources,
  ...(d.positions.length > 0 && { positions: d.positions }),
  ...(d.meeting && { meeting: d.meeting }),
  ...(random.chance(options.toneFraction) && {
    tone: clampTone((KIND_TONE[d.kind] ?? 0) + random.between(-3, 3)),
  }),
  ...(random.chance(0.6) && {
    cameoCode: `${pad(DEVELOPMENT_KINDS.indexOf(d.kind) + 1, 2)}${random.chance(0.5) ? random.int(10) : ''}`,
  }),
});

export const makeDevelopment = (g: Generation, ordinal: number): Recorded => {
  const { actors, topics } = g.cast;
  const { occurredMs, precision } = drawOccurred(g, ordinal);
  const { chosen, participants } = drawParticipants(g);
  const { topicIndexes, topicIds, earliestMs } = drawTopics(g, occurredMs);
  const kind = g.random.weighted(KIND_WEIGHTS);
  const source = actors[chosen[0]!]!;
  const target = chosen[1] === undefined ? undefined : actors[chosen[1]]!;
  const title = `${source.name} ${VERBS[kind]} ${target?.name ?? topics[topicIndexes[0]!]!.title}`;
  const positions = drawPositions(g, participants, topicIds, source);
  const meeting = drawMeeting(g, {
    occurredMs,
    participants,
    topicIds,
    title: `${source.name} and ${target?.name ?? 'partners'} on ${topics[topicIndexes[0]!]!.title}`,
  });
  const sources = drawSources(g, ordinal, occurredMs);
  const drawn = { ordinal, kind, title, occurredMs, precision, participants, topicIds, source, positions, meeting };
  const content = contentOf(g, { ...drawn, sources });
  return { ordinal, id: content.id!, content, earliestMs, revision: 0, retracted: false };
};
