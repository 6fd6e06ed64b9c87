import { isDevelopmentEvent, type DevelopmentEvent, type LogPosition, type TimelineEvent } from '../../events/index.js';
import type { DevelopmentChange } from '../projections/project-batch.js';
import { matchesFilter, type TimelineFilter } from '../time-travel/timeline.js';
import { liveEvents, TOO_SLOW, type LiveSources, type StreamPhase } from './live-events.js';

type ChangeKind = 'RECORDED' | 'CORRECTED' | 'VERIFIED' | 'RETRACTED';

const CHANGE_KINDS: Record<DevelopmentEvent['type'], ChangeKind> = {
  DevelopmentRecorded: 'RECORDED',
  DevelopmentCorrected: 'CORRECTED',
  DevelopmentVerified: 'VERIFIED',
  DevelopmentRetracted: 'RETRACTED',
};

export interface TimelineChangeItem {
  readonly developmentId: string;
  readonly position: LogPosition;
  readonly phase: StreamPhase;
  readonly change: ChangeKind;
}

const isEmptyFilter = (filter: TimelineFilter): boolean =>
  !filter.actorIds?.length &&
  !filter.topicIds?.length &&
  !filter.kinds?.length &&
  !filter.from &&
  !filter.to &&
  !filter.text;

/**
 * A change belongs to a filtered feed when the development matched the filter just before or just after it: a
 * correction that moves a development out of the filter is news to whoever watched it. Each change is judged on
 * the versions around it, not on today's, so a replay answers the same whenever it runs.
 */
const changeMatches = (change: DevelopmentChange | undefined, filter: TimelineFilter): boolean => {
  if (isEmptyFilter(filter)) return true;
  const everything = { ...filter, includeRetracted: true };
  return [change?.before ?? null, change?.after ?? null].some(
    (version) => version !== null && matchesFilter(version, everything),
  );
};

export interface TimelineChangesOptions {
  readonly filter: TimelineFilter;
  readonly after: LogPosition | null | 'live';
  readonly bufferLimit: number;
  readonly signal?: AbortSignal;
}

/** The changes to developments matching a filter: replay from a point, then live, each once, in log order. */
export async function* timelineChanges(
  sources: LiveSources,
  options: TimelineChangesOptions,
): AsyncGenerator<TimelineChangeItem | typeof TOO_SLOW> {
  // Selecting as events arrive keeps what does not match out of the buffer, where it would count against the limit.
  const select = (event: TimelineEvent, change: DevelopmentChange | undefined) =>
    isDevelopmentEvent(event) && changeMatches(change, options.filter);
  for await (const item of liveEvents(sources, { ...options, select })) {
    if (item === TOO_SLOW) {
      yield TOO_SLOW;
      return;
    }
    const event = item.event as DevelopmentEvent;
    yield {
      developmentId: event.data.id,
      position: event.position,
      phase: item.phase,
      change: CHANGE_KINDS[event.type],
    };
  }
}
