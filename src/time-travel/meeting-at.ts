import { evolveMeeting, type MeetingState } from '../domain/meeting.js';
import type { TimePoint } from '../domain/time-point.js';
import type { ReadModelReader } from '../read-store/read-model-store.js';
import { visibleDevelopments } from './visible-developments.js';

/** A meeting exists from the first visible development that names it; null before. */
export const meetingAt = async (reads: ReadModelReader, id: string, at: TimePoint): Promise<MeetingState | null> =>
  (
    await visibleDevelopments(reads, { kind: 'meeting', id }, at, (d) => d.meeting?.id === id)
  ).reduce<MeetingState | null>(evolveMeeting, null);
