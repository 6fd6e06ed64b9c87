import { Field, ObjectType } from 'type-graphql';
import { Stance } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true, description: 'The latest stance an actor took on a topic up to asOf.' })
export class Position {
  @Field(() => Stance)
  stance!: keyof typeof Stance;

  @Field(() => String, { nullable: true })
  summary?: string;

  @Field(() => DateTime)
  since!: string;
}
