import type { Stance } from '../../events/index.js';
import { namedActors, type DevelopmentState } from '../domain/development.js';
import { counterparts } from '../domain/relations.js';

/**
 * All that one development gives one actor's summary (actor-summary.ts): when it occurred, its meeting, the stances
 * the actor took in it, and, when the actor takes part, its tone and counterparts. The projector keeps it with the
 * actor's index entry, so that a question folds an actor's entries from one range read of its index, without
 * reading the developments' versions (docs/architecture.md, "Snapshots").
 */
export interface ActorShare {
  readonly occurredAt: string;
  readonly meetingId: string | undefined;
  readonly stances: readonly (readonly [topicId: string, stance: Stance, summary: string | undefined])[];
  /** Undefined when the development names the actor without its taking part (a quote, a stance, a meeting). */
  readonly part: { readonly tone: number | undefined; readonly counterparts: readonly string[] } | undefined;
}

/** What `development` gives `actorId`; null when it does not name the actor, and so gives nothing. */
export const shareOf = (development: DevelopmentState, actorId: string): ActorShare | null => {
  if (!namedActors(development).includes(actorId)) return null;
  const stances: [string, Stance, string | undefined][] = [];
  for (const { actorId: by, topicId, stance, summary } of development.positions) {
    if (by === actorId) stances.push([topicId, stance, summary]);
  }
  const takesPart = development.participants.some((participant) => participant.actorId === actorId);
  return {
    occurredAt: development.occurredAt,
    meetingId: development.meeting?.id,
    stances,
    part: takesPart ? { tone: development.tone, counterparts: counterparts(development, actorId) } : undefined,
  };
};

/** The occurredAt an entry's place gives, written as the stores write an instant: most developments say it so. */
const canonical = (occurredAtMs: number): string => new Date(occurredAtMs).toISOString();

/**
 * As an index entry keeps it: a JSON array [occurredAt or 0, meetingId or 0, stances or 0, part or 0], a part being
 * [tone or null, ...counterparts] and a stance [topicId, stance, summary or null]; occurredAt is 0 where it is the
 * entry's own instant in canonical form (the entry's place holds it). Most shares are a tone and one counterpart:
 * about twenty-five bytes beside each entry.
 */
export const encodeShare = (share: ActorShare | null): string | undefined => {
  if (share === null) return undefined;
  const stances = share.stances.map(([topicId, stance, summary]) => [topicId, stance, summary ?? null]);
  const part = share.part ? [share.part.tone ?? null, ...share.part.counterparts] : 0;
  const occurredAt = share.occurredAt === canonical(Date.parse(share.occurredAt)) ? 0 : share.occurredAt;
  return JSON.stringify([occurredAt, share.meetingId ?? 0, stances.length > 0 ? stances : 0, part]);
};

type EncodedShare = [string | 0, string | 0, [string, Stance, string | null][] | 0, [number | null, ...string[]] | 0];

/** A share as its entry keeps it, at the entry's occurredAt. */
export const decodeShare = (text: string, occurredAtMs: number): ActorShare => {
  const [occurredAt, meetingId, stances, part] = JSON.parse(text) as EncodedShare;
  return {
    occurredAt: occurredAt === 0 ? canonical(occurredAtMs) : occurredAt,
    meetingId: meetingId === 0 ? undefined : meetingId,
    stances: stances === 0 ? [] : stances.map(([topicId, stance, summary]) => [topicId, stance, summary ?? undefined]),
    part: part === 0 ? undefined : { tone: part[0] ?? undefined, counterparts: part.slice(1) as string[] },
  };
};
