import { Field, ID, InputType } from 'type-graphql';
import { MeetingStatus } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';
import type * as commands from '../../application/input-schemas.js';
import type { AcceptedBy } from '../common/accepted-by.js';

@InputType()
export class MeetingFilter {
  @Field(() => [MeetingStatus], { nullable: true })
  statuses?: (keyof typeof MeetingStatus)[];

  @Field(() => [ID], { nullable: true, description: 'Meetings with all of these participants.' })
  actorIds?: string[];

  @Field(() => [ID], { nullable: true })
  topicIds?: string[];
}

@InputType({ description: "Moves a meeting's life on; the first development naming a meeting id creates it." })
export class MeetingInput implements AcceptedBy<typeof commands.MeetingInput, MeetingInput> {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  title?: string;

  @Field(() => MeetingStatus)
  status!: keyof typeof MeetingStatus;

  @Field(() => String, { nullable: true })
  location?: string;

  @Field(() => DateTime, { nullable: true })
  scheduledFor?: Date;

  @Field(() => [ID], { nullable: true })
  participantIds?: string[];

  @Field(() => [ID], { nullable: true })
  topicIds?: string[];
}
