/** The closed vocabularies shared by events, commands and the GraphQL enums (names match the contract). */

export const ACTOR_KINDS = ['PERSON', 'STATE', 'ORGANIZATION', 'GROUP'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const TOPIC_STATUSES = ['EMERGING', 'ACTIVE', 'STALLED', 'RESOLVED', 'ABANDONED'] as const;
export type TopicStatus = (typeof TOPIC_STATUSES)[number];

export const MEETING_STATUSES = ['PROPOSED', 'AGREED', 'SCHEDULED', 'HELD', 'POSTPONED', 'CANCELLED'] as const;
export type MeetingStatus = (typeof MEETING_STATUSES)[number];

export const DEVELOPMENT_KINDS = [
  'STATEMENT',
  'CLAIM',
  'DENIAL',
  'APPEAL',
  'AGREE',
  'CONSULT',
  'SUPPORT',
  'CONCEDE',
  'COOPERATE',
  'AID',
  'RETREAT',
  'REQUEST',
  'ACCUSE',
  'REJECT',
  'THREATEN',
  'PROTEST',
  'SANCTION',
  'MOBILIZE',
  'COERCE',
  'ASSAULT',
] as const;
export type DevelopmentKind = (typeof DEVELOPMENT_KINDS)[number];

export const TIME_PRECISIONS = ['INSTANT', 'DAY', 'MONTH', 'YEAR'] as const;
export type TimePrecision = (typeof TIME_PRECISIONS)[number];

export const PARTICIPANT_ROLES = ['SOURCE', 'TARGET', 'PARTICIPANT', 'MEDIATOR', 'HOST', 'MENTIONED'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export const VERIFICATION_STATUSES = ['REPORTED', 'CONFIRMED', 'DISPUTED', 'DENIED', 'RETRACTED'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** The verdicts a verifyDevelopment command may record; REPORTED and RETRACTED come from elsewhere. */
export const VERDICTS = ['CONFIRMED', 'DISPUTED', 'DENIED'] as const;
export type Verdict = (typeof VERDICTS)[number];

export const STANCES = ['SUPPORTS', 'OPPOSES', 'CONDITIONAL', 'UNDECIDED', 'NEUTRAL'] as const;
export type Stance = (typeof STANCES)[number];
