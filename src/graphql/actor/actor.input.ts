import { Field, ID, InputType } from 'type-graphql';
import { ActorKind } from '../common/enums.js';
import { DateTime } from '../common/scalars.js';
import type * as commands from '../../application/input-schemas.js';
import type { AcceptedBy } from '../common/accepted-by.js';

@InputType()
export class ActorFilter {
  @Field(() => [ActorKind], { nullable: true })
  kinds?: (keyof typeof ActorKind)[];

  @Field(() => String, { nullable: true })
  country?: string;

  @Field(() => String, { nullable: true, description: 'Case-insensitive match on name or alias.' })
  text?: string;
}

@InputType()
export class RegisterActorInput implements AcceptedBy<typeof commands.RegisterActorInput, RegisterActorInput> {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => ActorKind)
  kind!: keyof typeof ActorKind;

  @Field(() => [String], { nullable: true })
  aliases?: string[];

  @Field(() => String, { nullable: true })
  cameoCode?: string;

  @Field(() => String, { nullable: true })
  country?: string;
}

@InputType()
export class AssignRoleInput implements AcceptedBy<typeof commands.AssignRoleInput, AssignRoleInput> {
  @Field(() => ID)
  actorId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => ID, { nullable: true })
  organizationId?: string;

  @Field(() => DateTime)
  since!: Date;

  @Field(() => DateTime, { nullable: true })
  until?: Date;
}
