import { registerEnumType } from 'type-graphql';
import {
  ACTOR_KINDS,
  DEVELOPMENT_KINDS,
  MEETING_STATUSES,
  PARTICIPANT_ROLES,
  STANCES,
  TIME_PRECISIONS,
  TOPIC_STATUSES,
  VERIFICATION_STATUSES,
} from '../../../events/vocabulary.js';

/** type-graphql wants enum objects; the vocabularies are tuples shared with the events. */
const enumOf = <const T extends readonly string[]>(values: T): { [K in T[number]]: K } =>
  Object.fromEntries(values.map((value) => [value, value])) as { [K in T[number]]: K };

export const ActorKind = enumOf(ACTOR_KINDS);
export const TopicStatus = enumOf(TOPIC_STATUSES);
export const MeetingStatus = enumOf(MEETING_STATUSES);
export const DevelopmentKind = enumOf(DEVELOPMENT_KINDS);
export const TimePrecision = enumOf(TIME_PRECISIONS);
export const ParticipantRole = enumOf(PARTICIPANT_ROLES);
export const VerificationStatus = enumOf(VERIFICATION_STATUSES);
export const Stance = enumOf(STANCES);
export const SortOrder = enumOf(['ASC', 'DESC'] as const);

registerEnumType(ActorKind, { name: 'ActorKind' });
registerEnumType(TopicStatus, { name: 'TopicStatus' });
registerEnumType(MeetingStatus, { name: 'MeetingStatus' });
registerEnumType(DevelopmentKind, {
  name: 'DevelopmentKind',
  description:
    "What happened. PLOVER's sixteen event types, plus four that PLOVER lacks and diplomacy needs (CAMEO roots 01 and 02).",
});
registerEnumType(TimePrecision, { name: 'TimePrecision' });
registerEnumType(ParticipantRole, { name: 'ParticipantRole' });
registerEnumType(VerificationStatus, { name: 'VerificationStatus' });
registerEnumType(Stance, { name: 'Stance' });
registerEnumType(SortOrder, { name: 'SortOrder' });
