import type { DevelopmentPatch } from '../../events/development-corrected.js';
import type { DevelopmentContent, Source } from '../../events/fields.js';
import type { DevelopmentEvent, LogPosition, Verdict, VerificationStatus } from '../../events/index.js';

export interface VerificationRecord {
  readonly status: Verdict;
  readonly byActorId?: string;
  readonly summary: string;
  readonly source?: Source;
  readonly recordedAt: Date;
}

interface CorrectionRecord {
  readonly reason: string;
  readonly changedFields: readonly string[];
  readonly recordedAt: Date;
}

/** A development as known after folding some prefix of its stream. */
export interface DevelopmentState extends DevelopmentContent {
  readonly id: string;
  /** When the first version was recorded. */
  readonly recordedAt: Date;
  /** The log position of DevelopmentRecorded: the tie-break of world order. */
  readonly recordPosition: LogPosition;
  readonly revision: number;
  readonly status: VerificationStatus;
  readonly verifications: readonly VerificationRecord[];
  readonly corrections: readonly CorrectionRecord[];
  readonly retracted: boolean;
}

/** A patch sets fields to new values; null removes an optional field. */
export const applyPatch = <T extends DevelopmentContent>(content: T, patch: DevelopmentPatch): T => {
  const next: Record<string, unknown> = { ...content };
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as T;
};

/** The pure reducer of a development stream, in revision order. */
export const evolveDevelopment = (state: DevelopmentState | null, event: DevelopmentEvent): DevelopmentState => {
  if (event.type === 'DevelopmentRecorded') {
    const { id, ...content } = event.data;
    return {
      ...content,
      id,
      recordedAt: event.recordedAt,
      recordPosition: event.position,
      revision: event.revision,
      status: 'REPORTED',
      verifications: [],
      corrections: [],
      retracted: false,
    };
  }
  if (state === null) throw new Error(`${event.type} at ${event.streamId} precedes DevelopmentRecorded`);
  const revision = event.revision;
  switch (event.type) {
    case 'DevelopmentCorrected':
      return {
        ...applyPatch(state, event.data.patch),
        revision,
        corrections: [
          ...state.corrections,
          { reason: event.data.reason, changedFields: event.data.changedFields, recordedAt: event.recordedAt },
        ],
      };
    case 'DevelopmentVerified': {
      const { status, byActorId, summary, source } = event.data;
      return {
        ...state,
        revision,
        status: state.retracted ? 'RETRACTED' : status,
        verifications: [...state.verifications, { status, byActorId, summary, source, recordedAt: event.recordedAt }],
      };
    }
    case 'DevelopmentRetracted':
      return { ...state, revision, status: 'RETRACTED', retracted: true };
  }
};

export const foldDevelopment = (events: readonly DevelopmentEvent[]): DevelopmentState | null =>
  events.reduce<DevelopmentState | null>(evolveDevelopment, null);

/** The content fields of a development, for comparing a re-sent record with the stored one. */
export const developmentContent = (state: DevelopmentState): DevelopmentContent => {
  const { kind, mode, title, summary, occurredAt, precision, location, participants, topicIds } = state;
  const { quotes, sources, positions, meeting, tone, cameoCode } = state;
  return dropUndefined({
    kind,
    mode,
    title,
    summary,
    occurredAt,
    precision,
    location,
    participants,
    topicIds,
    quotes,
    sources,
    positions,
    meeting,
    tone,
    cameoCode,
  });
};

const dropUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** Every actor a development names: participants, speakers, stance holders, meeting participants. */
export const namedActors = (state: DevelopmentState): string[] => [
  ...state.participants.map((p) => p.actorId),
  ...state.quotes.flatMap((q) => (q.speakerId === undefined ? [] : [q.speakerId])),
  ...state.positions.map((p) => p.actorId),
  ...(state.meeting?.participantIds ?? []),
];

/** Every topic a development names: its topics, the topics of its stances and of its meeting step. */
export const namedTopics = (state: DevelopmentState): string[] => [
  ...state.topicIds,
  ...state.positions.map((p) => p.topicId),
  ...(state.meeting?.topicIds ?? []),
];
