import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description: 'Dealings between two actors up to asOf: every development in which one is SOURCE and the other TARGET.',
})
export class Relation {
  @Field(() => Int)
  developmentCount!: number;
}
