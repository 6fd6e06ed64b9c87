import { Field, ID, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type.js';
import { MeetingStatus } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';

@ObjectType({
  simpleResolvers: true,
  description: 'A summit, visit or call, whose life is told by the developments that name it.',
})
export class Meeting {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => MeetingStatus)
  status!: keyof typeof MeetingStatus;

  @Field(() => String, { nullable: true })
  location?: string;

  @Field(() => DateTime, { nullable: true })
  scheduledFor?: string;
}

export const MeetingConnection = connectionType(() => Meeting, 'Meeting');
