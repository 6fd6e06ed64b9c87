import type { z } from 'zod';
import { ActorRegistered } from './actor-registered.js';
import { ActorRoleAssigned } from './actor-role-assigned.js';
import type { EventDefinition } from './define-event.js';
import { DevelopmentCorrected } from './development-corrected.js';
import { DevelopmentRecorded } from './development-recorded.js';
import { DevelopmentRetracted } from './development-retracted.js';
import { DevelopmentVerified } from './development-verified.js';
import type { NewEvent, RecordedEvent } from './envelope.js';
import { TopicOpened } from './topic-opened.js';
import { TopicStatusChanged } from './topic-status-changed.js';

export * from './envelope.js';
export * from './vocabulary.js';
export type { EventDefinition } from './define-event.js';
export {
  ActorRegistered,
  ActorRoleAssigned,
  DevelopmentCorrected,
  DevelopmentRecorded,
  DevelopmentRetracted,
  DevelopmentVerified,
  TopicOpened,
  TopicStatusChanged,
};

export const EVENT_CATALOG = [
  ActorRegistered,
  ActorRoleAssigned,
  TopicOpened,
  TopicStatusChanged,
  DevelopmentRecorded,
  DevelopmentCorrected,
  DevelopmentVerified,
  DevelopmentRetracted,
] as const;

type Catalog = (typeof EVENT_CATALOG)[number];
export type EventType = Catalog['type'];

/** The data of each event type, keyed by its name. */
export type EventDataMap = { [D in Catalog as D['type']]: z.infer<D['schema']> };

/** A catalog event as the domain sees it: a discriminated union on `type`. */
export type TimelineEvent = TimelineEventOf<EventType>;
export type NewTimelineEvent = { [T in EventType]: NewEvent<T, EventDataMap[T]> }[EventType];
export type TimelineEventOf<T extends EventType> = T extends EventType ? RecordedEvent<T, EventDataMap[T]> : never;

export type ActorEvent = TimelineEventOf<'ActorRegistered' | 'ActorRoleAssigned'>;
export type TopicEvent = TimelineEventOf<'TopicOpened' | 'TopicStatusChanged'>;
export type DevelopmentEvent = TimelineEventOf<
  'DevelopmentRecorded' | 'DevelopmentCorrected' | 'DevelopmentVerified' | 'DevelopmentRetracted'
>;

const byType = new Map<string, EventDefinition>(EVENT_CATALOG.map((definition) => [definition.type, definition]));

export const eventDefinition = (type: string): EventDefinition | undefined => byType.get(type);

export const streamId = (category: EventDefinition['category'], entityId: string): string => `${category}-${entityId}`;

export const isActorEvent = (event: TimelineEvent): event is ActorEvent =>
  event.type === 'ActorRegistered' || event.type === 'ActorRoleAssigned';
export const isTopicEvent = (event: TimelineEvent): event is TopicEvent =>
  event.type === 'TopicOpened' || event.type === 'TopicStatusChanged';
export const isDevelopmentEvent = (event: TimelineEvent): event is DevelopmentEvent =>
  !isActorEvent(event) && !isTopicEvent(event);
