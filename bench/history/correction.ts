import { MEETING_STATUSES, STANCES } from '../../events/vocabulary.js';
import { DAY_MS, iso } from './calendar.js';
import type { Generation, Recorded } from './generation.js';
import type { CommandInputs, GeneratedCommand, RecordInput } from './history-options.js';
import { clampTone, REASONS } from './vocabulary.js';

/** A patch that surely changes something, and the content after it. */
export const makeCorrection = (g: Generation, target: Recorded): GeneratedCommand => {
  const { random, from, to } = g;
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
