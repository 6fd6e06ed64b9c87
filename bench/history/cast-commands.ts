import { iso, truncate, YEAR_MS } from './calendar.js';
import { word } from './cast.js';
import type { Generation } from './generation.js';
import type { GeneratedCommand } from './history-options.js';
import { ROLE_TITLES } from './vocabulary.js';

/** The cast's commands, before any development: actors registered, topics opened (a parent before its children), roles. */

function* registrations({ cast: { actors }, random }: Generation): Generator<GeneratedCommand> {
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
}

function* topicOpenings({ cast: { topics }, random }: Generation): Generator<GeneratedCommand> {
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
}

function* roleAssignments({ cast: { actors }, random, from }: Generation): Generator<GeneratedCommand> {
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
}

export function* castCommands(generation: Generation): Generator<GeneratedCommand> {
  yield* registrations(generation);
  yield* topicOpenings(generation);
  yield* roleAssignments(generation);
}
