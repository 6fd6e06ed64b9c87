import { TOPIC_STATUSES } from '../../events/vocabulary.js';
import type { CommandName } from '../../src/application/commands/index.js';
import { iso } from './calendar.js';
import { castCommands } from './cast-commands.js';
import { makeCorrection } from './correction.js';
import { makeDevelopment } from './development.js';
import { drawActor, drawTopic, pickRecent, remember, startGeneration, type Generation } from './generation.js';
import type { GeneratedCommand, HistoryOptions } from './history-options.js';
import { PUBLISHERS } from './vocabulary.js';

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

/** A verification of a recent development (2% of developments), by an actor or a publisher. */
const verification = (g: Generation): GeneratedCommand | undefined => {
  const { random } = g;
  const target = pickRecent(g);
  if (!target) return undefined;
  const withRevision = random.chance(0.5);
  const byActor = random.chance(0.6) ? g.cast.actors[drawActor(g)]!.id : undefined;
  const publisher = random.pick(PUBLISHERS);
  const command: GeneratedCommand = {
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
  return command;
};

/** A retraction of a recent development (0.3%): nothing touches it afterwards. */
const retraction = (g: Generation): GeneratedCommand | undefined => {
  const target = pickRecent(g);
  if (!target) return undefined;
  const command: GeneratedCommand = {
    command: 'retractDevelopment',
    input: { id: target.id, expectedRevision: target.revision, reason: 'the report was false' },
  };
  target.revision += 1;
  target.retracted = true;
  return command;
};

/** A topic's status changed at the history's current instant (or its opening, if later). */
const topicStatusChange = (g: Generation, ordinal: number): GeneratedCommand => {
  const { random, from, span, options } = g;
  const topic = g.cast.topics[drawTopic(g)]!;
  const at = Math.max(topic.openedAtMs, from + ((ordinal + 0.5) / options.developments) * span);
  return {
    command: 'changeTopicStatus',
    input: {
      topicId: topic.id,
      status: random.pick(TOPIC_STATUSES.filter((status) => status !== 'EMERGING')),
      at: iso(Math.floor(at)),
      ...(random.chance(0.5) && { reason: 'as the talks went' }),
    },
  };
};

/** What may follow a development: a correction, a verification, a retraction, a topic's status change. */
function* followUps(g: Generation, ordinal: number): Generator<GeneratedCommand> {
  const { random, options } = g;
  if (random.chance(options.correctionFraction)) {
    const target = pickRecent(g);
    if (target) yield makeCorrection(g, target);
  }
  if (random.chance(options.verificationFraction)) {
    const command = verification(g);
    if (command) yield command;
  }
  if (random.chance(options.retractionFraction)) {
    const command = retraction(g);
    if (command) yield command;
  }
  if (random.chance(options.topicStatusFraction)) yield topicStatusChange(g, ordinal);
}

/**
 * The commands of a whole history, in the order they are to be run: the cast, then the developments with
 * corrections, verifications, retractions and topic status changes in between. Lazy: a million developments
 * never sit in memory at once (only the last `window` of them).
 */
export function* historyCommands(overrides: Partial<HistoryOptions> = {}): Generator<GeneratedCommand> {
  const generation = startGeneration(overrides);
  yield* castCommands(generation);
  for (let ordinal = 0; ordinal < generation.options.developments; ordinal++) {
    const development = makeDevelopment(generation, ordinal);
    yield { command: 'recordDevelopment', input: development.content };
    remember(generation, development);
    yield* followUps(generation, ordinal);
  }
}
