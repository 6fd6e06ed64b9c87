import { Field, ID, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type.js';
import { TopicStatus } from '../common/enums.js';

@ObjectType({ simpleResolvers: true, description: 'A subject of diplomacy, at a point on both time axes.' })
export class Topic {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String, { nullable: true })
  description?: string;

  @Field(() => TopicStatus)
  status!: keyof typeof TopicStatus;
}

export const TopicConnection = connectionType(() => Topic, 'Topic');
