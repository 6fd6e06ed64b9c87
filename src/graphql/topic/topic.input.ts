import { Field, ID, InputType } from 'type-graphql';
import { TopicStatus } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';
import type * as commands from '../../application/input-schemas.js';
import type { AcceptedBy } from '../common/accepted-by.js';

@InputType()
export class TopicFilter {
  @Field(() => [TopicStatus], { nullable: true })
  statuses?: (keyof typeof TopicStatus)[];

  @Field(() => ID, { nullable: true })
  parentId?: string;

  @Field(() => String, { nullable: true })
  text?: string;
}

@InputType()
export class OpenTopicInput implements AcceptedBy<typeof commands.OpenTopicInput, OpenTopicInput> {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field(() => ID, { nullable: true })
  parentId?: string;

  @Field(() => DateTime)
  openedAt!: Date;
}

@InputType()
export class ChangeTopicStatusInput implements AcceptedBy<
  typeof commands.ChangeTopicStatusInput,
  ChangeTopicStatusInput
> {
  @Field(() => ID)
  topicId!: string;

  @Field(() => TopicStatus)
  status!: keyof typeof TopicStatus;

  @Field(() => DateTime)
  at!: Date;

  @Field(() => String, { nullable: true })
  reason?: string;
}
