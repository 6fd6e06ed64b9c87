import type { MeetingStatus } from '../../events/index.js';
import type { DevelopmentState } from './development.js';

export interface MeetingState {
  readonly id: string;
  readonly title: string;
  readonly status: MeetingStatus;
  readonly location?: string;
  readonly scheduledFor?: string;
  readonly participantIds: readonly string[];
  readonly topicIds: readonly string[];
  /** The developments that named the meeting, oldest first. */
  readonly developmentIds: readonly string[];
}

/**
 * The pure reducer of a meeting, fed the developments that name it in world order. Each step sets what it gives;
 * what it leaves out stays, and the first step falls back on its development for title, participants and topics.
 */
export const evolveMeeting = (state: MeetingState | null, development: DevelopmentState): MeetingState => {
  const step = development.meeting;
  if (step === undefined) throw new Error(`development ${development.id} names no meeting`);
  const participantIds =
    step.participantIds ??
    state?.participantIds ??
    development.participants.filter((p) => p.role !== 'MENTIONED').map((p) => p.actorId);
  return {
    id: step.id,
    title: step.title ?? state?.title ?? development.title,
    status: step.status,
    location: step.location ?? state?.location,
    scheduledFor: step.scheduledFor ?? state?.scheduledFor,
    participantIds: [...new Set(participantIds)],
    topicIds: [...new Set(step.topicIds ?? state?.topicIds ?? development.topicIds)],
    developmentIds: [...(state?.developmentIds ?? []), development.id],
  };
};
