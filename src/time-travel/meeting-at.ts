import { evolveMeeting, type MeetingState } from '../domain/meeting.js';
import type { TimePoint } from '../domain/time-point.js';
import type { EntityHistory } from './entity-history.js';
import { visibleDevelopments } from './visible-developments.js';

/** A meeting exists from the first visible development that names it; null before. */
export const meetingAt = (history: EntityHistory, id: string, at: TimePoint): MeetingState | null =>
  visibleDevelopments(
    history,
    history.developmentsNamingMeeting(id),
    at,
    (d) => d.meeting?.id === id,
  ).reduce<MeetingState | null>(evolveMeeting, null);
