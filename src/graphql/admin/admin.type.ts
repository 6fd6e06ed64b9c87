import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ApiKeyRole {
  READER = 'READER',
  EDITOR = 'EDITOR',
  ADMIN = 'ADMIN',
}
registerEnumType(ApiKeyRole, {
  name: 'ApiKeyRole',
  description: 'What a key may do: read, also write, also administer.',
});

@ObjectType({
  simpleResolvers: true,
  description: 'A key the server knows, by name: its secret is never kept, let alone shown.',
})
export class ApiKeyInfo {
  @Field(() => String)
  name!: string;

  @Field(() => ApiKeyRole)
  role!: ApiKeyRole;
}

@ObjectType({ simpleResolvers: true, description: 'How this process and its read models stand.' })
export class ServerStatus {
  @Field(() => String, { description: 'all, serve or project (TIMELINE_ROLE).' })
  role!: string;

  @Field(() => String, { nullable: true, description: 'The last event the read models applied (a cursor).' })
  checkpoint!: string | null;

  @Field(() => String, { nullable: true, description: 'The last event of the log (a cursor); null when it is empty.' })
  logHead!: string | null;

  @Field(() => Boolean, { description: 'The read models hold all they can (see /healthz).' })
  caughtUp!: boolean;

  @Field(() => Boolean, { nullable: true, description: 'With shared read models: whether this process projects.' })
  leading!: boolean | null;

  @Field(() => Int, { description: 'Subscriptions open on this process.' })
  liveSubscriptions!: number;
}
