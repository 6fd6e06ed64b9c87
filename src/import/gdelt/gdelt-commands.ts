import type { z } from 'zod';
import type { RecordDevelopmentInput, RegisterActorInput } from '../../application/input-schemas.js';
import type { CameoTables } from './cameo-tables.js';
import type { GdeltActor, GdeltRow } from './parse-gdelt-row.js';
import { matchingTopics, type TopicRule } from './topic-rules.js';

type RegisterActorCommand = z.input<typeof RegisterActorInput>;
type RecordDevelopmentCommand = z.input<typeof RecordDevelopmentInput>;

/** What one GDELT row becomes: the actors it names (registered on first sight), then the development. */
interface GdeltCommands {
  readonly actors: readonly RegisterActorCommand[];
  readonly development: RecordDevelopmentCommand;
}

export type MappedGdeltRow = { readonly commands: GdeltCommands } | { readonly reason: string };

const slug = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120)
    .replace(/-+$/, '');

/**
 * An actor's id from its CAMEO code and name, the same in every file and run: `cameo:usagov:barack-obama`. The
 * prefix keeps imported actors apart from curated ones (the seed's `usa` is not GDELT's `cameo:usa:united-states`).
 */
export const gdeltActorId = (actor: GdeltActor): string => {
  const name = slug(actor.name);
  return `cameo:${actor.code.toLowerCase()}${name === '' ? '' : `:${name}`}`;
};

/** A development's id from GDELT's event id: importing a file twice appends nothing the second time. */
const gdeltDevelopmentId = (row: GdeltRow): string => `gdelt:${row.globalEventId}`;

const actorCommand = (actor: GdeltActor, tables: CameoTables): RegisterActorCommand => ({
  id: gdeltActorId(actor),
  name: actor.name || tables.countryLabel(actor.code) || tables.knownGroupLabel(actor.code) || actor.code,
  kind: tables.actorKind(actor.code, actor.knownGroupCode, actor.type1Code),
  cameoCode: actor.code,
  ...(actor.countryCode === '' ? {} : { country: actor.countryCode }),
});

/** SOURCEURL is mostly a URL; when it is a citation instead, the citation is the publisher. */
const sourceOf = (raw: string): RecordDevelopmentCommand['sources'][number] => {
  if (raw === '') return { publisher: 'The GDELT Project' };
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      return { publisher: url.hostname.replace(/^www\./, ''), url: raw };
    }
  } catch {
    // Not a URL: a citation.
  }
  return { publisher: raw };
};

const locationOf = (row: GdeltRow): string | undefined => {
  const geo = row.actionGeo;
  if (!geo) return undefined;
  return geo.lat === undefined || geo.long === undefined ? geo.fullName : `${geo.fullName} (${geo.lat}, ${geo.long})`;
};

/** The facts of the row that have no field of their own, so that nothing it says is lost. */
const summaryOf = (row: GdeltRow, description: string, context: string | undefined): string =>
  [
    `GDELT event ${row.globalEventId}: CAMEO ${row.eventCode} (${description})`,
    context === undefined ? undefined : `PLOVER context ${context}`,
    `QuadClass ${row.quadClass}, Goldstein ${row.goldstein}, average tone ${row.avgTone}`,
    `${row.numMentions} mentions in ${row.numArticles} articles from ${row.numSources} sources`,
    row.isRootEvent ? 'root event of its document' : undefined,
    `added by GDELT at ${row.dateAdded}`,
  ]
    .filter((part) => part !== undefined)
    .join('; ');

/** The commands for a parsed row: the CAMEO code's meaning, its actors, its topics by the rules. */
export const gdeltCommands = (row: GdeltRow, tables: CameoTables, topicRules: readonly TopicRule[]): MappedGdeltRow => {
  const meaning = tables.eventMeaning(row.eventCode);
  if (!meaning) return { reason: `EventCode ${row.eventCode} is not a CAMEO event code` };
  const actors = [row.actor1, row.actor2].filter((actor): actor is GdeltActor => actor !== undefined);
  const commands = actors.map((actor) => actorCommand(actor, tables));
  const ids = commands.map((command) => command.id);
  // Actor1 acts upon Actor2; a row coding the same actor twice names it once.
  const participants = row.actor1
    ? [
        { actorId: ids[0]!, role: 'SOURCE' as const },
        ...(row.actor2 && ids[1] !== ids[0] ? [{ actorId: ids[1]!, role: 'TARGET' as const }] : []),
      ]
    : [{ actorId: ids[0]!, role: 'TARGET' as const }];
  const names = actors.map((actor, index) => commands[index]!.name ?? actor.code);
  const title = row.actor1
    ? `${meaning.description}: ${names[0]}${row.actor2 ? ` → ${names[1]}` : ''}`
    : `${meaning.description}: → ${names[0]}`;
  const countries = new Set(actors.map((actor) => actor.countryCode).filter((code) => code !== ''));
  const location = locationOf(row);
  return {
    commands: {
      actors: commands.filter((command, index) => ids.indexOf(command.id) === index),
      development: {
        id: gdeltDevelopmentId(row),
        kind: meaning.kind,
        ...(meaning.mode === undefined ? {} : { mode: meaning.mode }),
        title,
        summary: summaryOf(row, meaning.description, meaning.context),
        occurredAt: row.day,
        precision: 'DAY',
        ...(location === undefined ? {} : { location }),
        participants,
        topicIds: matchingTopics(topicRules, countries),
        sources: [sourceOf(row.sourceUrl)],
        tone: row.goldstein,
        cameoCode: row.eventCode,
      },
    },
  };
};
