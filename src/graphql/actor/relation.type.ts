import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Actor } from './actor.type.js';

/**
 * What a relation answers is worked out with the relation (actor.resolver.ts), so that its fields are plain values:
 * a busy actor has thousands of relations, and a resolver per field of each cost more than the fold that found them.
 */
@ObjectType({
  simpleResolvers: true,
  description: 'Dealings between two actors up to asOf: every development in which one is SOURCE and the other TARGET.',
})
export class Relation {
  @Field(() => Actor)
  other!: Actor;

  @Field(() => Int)
  developmentCount!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean tone (-10..10) of those developments that carry a tone, to the millionth; null when none does.',
  })
  tone!: number | null;

  @Field(() => Float, { nullable: true, description: 'Tone of the latest such development that carries one.' })
  lastTone!: number | null;
}
