import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type.js';
import { DevelopmentKind, ParticipantRole, TimePrecision, VerificationStatus } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true })
export class Participant {
  @Field(() => ParticipantRole)
  role!: keyof typeof ParticipantRole;
}

@ObjectType({ simpleResolvers: true })
export class Quote {
  @Field(() => String)
  text!: string;
}

@ObjectType({ simpleResolvers: true })
export class Source {
  @Field(() => String)
  publisher!: string;

  @Field(() => String, { nullable: true })
  url?: string;

  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => DateTime, { nullable: true })
  publishedAt?: string;
}

@ObjectType({ simpleResolvers: true })
export class Verification {
  @Field(() => VerificationStatus)
  status!: keyof typeof VerificationStatus;

  @Field(() => String)
  summary!: string;

  @Field(() => Source, { nullable: true })
  source?: Source;

  @Field(() => DateTime)
  recordedAt!: Date;
}

@ObjectType({ simpleResolvers: true })
export class Correction {
  @Field(() => String)
  reason!: string;

  @Field(() => [String])
  changedFields!: string[];

  @Field(() => DateTime)
  recordedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: 'What happened, as known at knownAt.' })
export class Development {
  @Field(() => ID)
  id!: string;

  @Field(() => DevelopmentKind)
  kind!: keyof typeof DevelopmentKind;

  @Field(() => String, { nullable: true, description: 'PLOVER mode, e.g. phone, visit, third-party for CONSULT.' })
  mode?: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  summary?: string;

  @Field(() => DateTime)
  occurredAt!: string;

  @Field(() => TimePrecision)
  precision!: keyof typeof TimePrecision;

  @Field(() => DateTime, { description: 'When the first version was recorded.' })
  recordedAt!: Date;

  @Field(() => String, { nullable: true })
  location?: string;

  @Field(() => [Source])
  sources!: Source[];

  @Field(() => Float, { nullable: true, description: '-10 (most hostile) .. 10 (most cooperative), Goldstein-style.' })
  tone?: number;

  @Field(() => String, { nullable: true })
  cameoCode?: string;

  @Field(() => VerificationStatus, {
    description: 'REPORTED until a verification or retraction says otherwise (as of knownAt).',
  })
  status!: keyof typeof VerificationStatus;

  @Field(() => [Correction])
  corrections!: Correction[];

  @Field(() => Int, {
    description:
      '0 as first recorded, +1 for each correction, verification or retraction. Pass it as expectedRevision.',
  })
  revision!: number;
}

export const DevelopmentConnection = connectionType(() => Development, 'Development');
