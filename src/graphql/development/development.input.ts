import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { DevelopmentKind, ParticipantRole, Stance, TimePrecision, VerificationStatus } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';
import { MeetingInput } from '../meeting/meeting.input.js';
import type * as commands from '../../application/input-schemas.js';
import type { AcceptedBy } from '../common/accepted-by.js';

@InputType()
export class TimelineFilter {
  @Field(() => [ID], { nullable: true })
  actorIds?: string[];

  @Field(() => [ID], { nullable: true })
  topicIds?: string[];

  @Field(() => [DevelopmentKind], { nullable: true })
  kinds?: (keyof typeof DevelopmentKind)[];

  @Field(() => DateTime, { nullable: true, description: 'occurredAt >= from' })
  from?: Date;

  @Field(() => DateTime, { nullable: true, description: 'occurredAt <= to' })
  to?: Date;

  @Field(() => String, { nullable: true, description: 'Case-insensitive match on title, summary or quotes.' })
  text?: string;

  @Field(() => Boolean, { nullable: true })
  includeRetracted?: boolean;
}

@InputType()
export class ParticipantInput implements AcceptedBy<typeof commands.ParticipantInput, ParticipantInput> {
  @Field(() => ID)
  actorId!: string;

  @Field(() => ParticipantRole)
  role!: keyof typeof ParticipantRole;
}

@InputType()
export class QuoteInput implements AcceptedBy<typeof commands.QuoteInput, QuoteInput> {
  @Field(() => ID, { nullable: true })
  speakerId?: string;

  @Field(() => String)
  text!: string;
}

@InputType()
export class SourceInput implements AcceptedBy<typeof commands.SourceInput, SourceInput> {
  @Field(() => String)
  publisher!: string;

  @Field(() => String, { nullable: true })
  url?: string;

  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => DateTime, { nullable: true })
  publishedAt?: Date;
}

@InputType()
export class PositionInput implements AcceptedBy<typeof commands.PositionInput, PositionInput> {
  @Field(() => ID)
  actorId!: string;

  @Field(() => ID)
  topicId!: string;

  @Field(() => Stance)
  stance!: keyof typeof Stance;

  @Field(() => String, { nullable: true })
  summary?: string;
}

@InputType()
export class RecordDevelopmentInput implements AcceptedBy<
  typeof commands.RecordDevelopmentInput,
  RecordDevelopmentInput
> {
  @Field(() => ID, {
    nullable: true,
    description:
      'Chosen by the client, it makes the call idempotent: the same id and content again returns the same development; the same id with other content is a CONFLICT.',
  })
  id?: string;

  @Field(() => DevelopmentKind)
  kind!: keyof typeof DevelopmentKind;

  @Field(() => String, { nullable: true })
  mode?: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  summary?: string;

  @Field(() => DateTime)
  occurredAt!: Date;

  @Field(() => TimePrecision, { nullable: true })
  precision?: keyof typeof TimePrecision;

  @Field(() => String, { nullable: true })
  location?: string;

  @Field(() => [ParticipantInput])
  participants!: ParticipantInput[];

  @Field(() => [ID])
  topicIds!: string[];

  @Field(() => [QuoteInput], { nullable: true })
  quotes?: QuoteInput[];

  @Field(() => [SourceInput])
  sources!: SourceInput[];

  @Field(() => [PositionInput], { nullable: true })
  positions?: PositionInput[];

  @Field(() => MeetingInput, { nullable: true })
  meeting?: MeetingInput;

  @Field(() => Float, { nullable: true })
  tone?: number;

  @Field(() => String, { nullable: true })
  cameoCode?: string;
}

@InputType({ description: 'The fields to change; null removes an optional field.' })
export class DevelopmentPatchInput implements AcceptedBy<typeof commands.DevelopmentPatchInput, DevelopmentPatchInput> {
  @Field(() => DevelopmentKind, { nullable: true })
  kind?: keyof typeof DevelopmentKind;

  @Field(() => String, { nullable: true })
  mode?: string;

  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => String, { nullable: true })
  summary?: string;

  @Field(() => DateTime, { nullable: true })
  occurredAt?: Date;

  @Field(() => TimePrecision, { nullable: true })
  precision?: keyof typeof TimePrecision;

  @Field(() => String, { nullable: true })
  location?: string;

  @Field(() => [ParticipantInput], { nullable: true })
  participants?: ParticipantInput[];

  @Field(() => [ID], { nullable: true })
  topicIds?: string[];

  @Field(() => [QuoteInput], { nullable: true })
  quotes?: QuoteInput[];

  @Field(() => [SourceInput], { nullable: true })
  sources?: SourceInput[];

  @Field(() => [PositionInput], { nullable: true })
  positions?: PositionInput[];

  @Field(() => MeetingInput, { nullable: true })
  meeting?: MeetingInput;

  @Field(() => Float, { nullable: true })
  tone?: number;

  @Field(() => String, { nullable: true })
  cameoCode?: string;
}

@InputType()
export class CorrectDevelopmentInput implements AcceptedBy<
  typeof commands.CorrectDevelopmentInput,
  CorrectDevelopmentInput
> {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  expectedRevision!: number;

  @Field(() => String)
  reason!: string;

  @Field(() => DevelopmentPatchInput)
  patch!: DevelopmentPatchInput;
}

@InputType()
export class VerifyDevelopmentInput implements AcceptedBy<
  typeof commands.VerifyDevelopmentInput,
  VerifyDevelopmentInput
> {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number;

  @Field(() => VerificationStatus, { description: 'CONFIRMED, DISPUTED or DENIED.' })
  status!: keyof typeof VerificationStatus;

  @Field(() => ID, { nullable: true })
  byActorId?: string;

  @Field(() => String)
  summary!: string;

  @Field(() => SourceInput, { nullable: true })
  source?: SourceInput;
}

@InputType()
export class RetractDevelopmentInput implements AcceptedBy<
  typeof commands.RetractDevelopmentInput,
  RetractDevelopmentInput
> {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  expectedRevision!: number;

  @Field(() => String)
  reason!: string;
}
