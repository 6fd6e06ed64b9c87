import { Field, ID, ObjectType } from 'type-graphql';
import { ActorKind } from '../common/enums.js';
import { connectionType } from '../common/connection.type.js';

@ObjectType({
  simpleResolvers: true,
  description: 'A person, state, organization or group, at a point on both time axes.',
})
export class Actor {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ActorKind)
  kind!: keyof typeof ActorKind;

  @Field(() => [String])
  aliases!: string[];

  @Field(() => String, { nullable: true, description: 'CAMEO actor code, e.g. USAGOV, RUSGOV, IGOEUREEC.' })
  cameoCode?: string;

  @Field(() => String, { nullable: true, description: 'ISO 3166-1 alpha-3, e.g. USA, RUS, UKR.' })
  country?: string;
}

export const ActorConnection = connectionType(() => Actor, 'Actor');
