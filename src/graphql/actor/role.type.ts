import { Field, ObjectType } from 'type-graphql';
import { DateTime } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true })
export class Role {
  @Field(() => String)
  title!: string;

  @Field(() => DateTime)
  since!: string;

  @Field(() => DateTime, { nullable: true })
  until?: string;
}
