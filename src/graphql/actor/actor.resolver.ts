import { listComplexity, pageComplexity } from '../common/complexity.js';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../common/page.args.js';
import { rolesAt } from '../../domain/actor.js';
import { meanTone } from '../../domain/relations.js';
import { actorsByIdAt } from '../../time-travel/actor-at.js';
import { actorsAt } from '../../time-travel/listings.js';
import { MeetingStatus } from '../common/enums.js';
import { commandMeta, type GraphQLContext } from '../context.js';
import { compareKeys, paginate } from '../common/connection.js';
import { DateTime } from '../common/scalars.js';
import { at, timePoint } from '../common/time-point.js';
import { viewIdDescription, viewIdOf } from '../common/view-id.js';
import { refusals } from '../common/errors.js';
import { Development, DevelopmentConnection } from '../development/development.type.js';
import { developmentPage } from '../development/development-page.js';
import { Meeting } from '../meeting/meeting.type.js';
import { Topic } from '../topic/topic.type.js';
import type {
  ActorNode,
  EntityReference,
  MeetingNode,
  PositionNode,
  RelationNode,
  RoleNode,
  TopicNode,
} from '../nodes.js';
import { asksOnlyId, needsEntityOf } from '../common/references.js';
import { Actor, ActorConnection } from './actor.type.js';
import { ActorFilter, AssignRoleInput, RegisterActorInput } from './actor.input.js';
import { Position } from './position.type.js';
import { Relation } from './relation.type.js';
import { Role } from './role.type.js';
import { plainInput } from '../common/plain-input.js';
import { loadActor } from './load-actor.js';

@Resolver(() => Actor)
export class ActorResolver {
  @Query(() => Actor, { nullable: true })
  actor(
    @Arg('id', () => ID) id: string,
    @Arg('asOf', () => DateTime, { nullable: true }) asOf: Date | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Ctx() context: GraphQLContext,
  ): Promise<ActorNode | null> {
    return context.loaders.actor.load({ id, at: timePoint(context, asOf, knownAt) });
  }

  @Query(() => ActorConnection, { complexity: pageComplexity })
  actors(
    @Arg('filter', () => ActorFilter, { nullable: true }) filter: ActorFilter | undefined,
    @Arg('asOf', () => DateTime, { nullable: true }) asOf: Date | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() context: GraphQLContext,
  ) {
    return refusals(async () =>
      paginate(await actorsAt(context.reads, filter ?? {}, timePoint(context, asOf, knownAt)), {
        first,
        after,
        keyOf: (actor) => [actor.name, actor.id],
        compare: compareKeys([1, 1]),
      }),
    );
  }

  @Mutation(() => Actor)
  registerActor(@Arg('input', () => RegisterActorInput) input: RegisterActorInput, @Ctx() context: GraphQLContext) {
    return refusals(async () => {
      const result = await context.commands('registerActor', plainInput(input), commandMeta(context));
      return loadActor(context, result);
    });
  }

  @Mutation(() => Actor)
  assignRole(@Arg('input', () => AssignRoleInput) input: AssignRoleInput, @Ctx() context: GraphQLContext) {
    return refusals(async () => {
      const result = await context.commands('assignRole', plainInput(input), commandMeta(context));
      return loadActor(context, result);
    });
  }

  @FieldResolver(() => [Role], {
    complexity: listComplexity(5),
    description: 'Roles held at asOf (since <= asOf and (until is null or until > asOf)).',
  })
  roles(@Root() actor: ActorNode): RoleNode[] {
    return rolesAt(actor, actor.at.asOf).map((role) => at(role, actor.at));
  }

  @FieldResolver(() => [Position], { complexity: listComplexity(10) })
  async positions(@Root() actor: ActorNode, @Ctx() context: GraphQLContext): Promise<PositionNode[]> {
    const activity = await context.loaders.actorActivity.load({ id: actor.id, at: actor.at });
    return activity.positions.map((position) => at(position, actor.at));
  }

  @FieldResolver(() => [Relation], { complexity: listComplexity(20) })
  async relations(
    @Root() actor: ActorNode,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<RelationNode[]> {
    const activity = await context.loaders.actorActivity.load({ id: actor.id, at: actor.at });
    // The counterparts in one read, each relation carrying its own: a busy actor has thousands, and a load (and a
    // promise) per counterpart cost more than the read. None at all when the query asks only their ids.
    const others = needsEntityOf(info, 'other')
      ? await actorsByIdAt(
          context.reads,
          activity.relations.map((relation) => relation.otherId),
          actor.at,
        )
      : null;
    // One literal shape rather than a spread, as actorNode builds its nodes.
    return activity.relations.map((relation) => ({
      otherId: relation.otherId,
      developmentCount: relation.developmentCount,
      toneSum: relation.toneSum,
      toneCount: relation.toneCount,
      lastTone: relation.lastTone ?? null,
      lastDevelopmentId: relation.lastDevelopmentId,
      at: actor.at,
      other: others ? (others.get(relation.otherId) ?? null) : { id: relation.otherId, at: actor.at },
      tone: meanTone(relation),
    }));
  }

  @FieldResolver(() => [Meeting], { complexity: listComplexity(10) })
  async meetings(
    @Root() actor: ActorNode,
    @Arg('statuses', () => [MeetingStatus], { nullable: true }) statuses: string[] | undefined,
    @Ctx() context: GraphQLContext,
  ): Promise<MeetingNode[]> {
    const activity = await context.loaders.actorActivity.load({ id: actor.id, at: actor.at });
    return (await activity.meetings())
      .filter((meeting) => !statuses?.length || statuses.includes(meeting.status))
      .map((meeting) => at(meeting, actor.at));
  }

  @FieldResolver(() => DevelopmentConnection, {
    complexity: pageComplexity,
    description: 'Developments this actor takes part in, occurredAt <= asOf, newest first.',
  })
  async developments(
    @Root() actor: ActorNode,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() context: GraphQLContext,
  ) {
    const activity = await context.loaders.actorActivity.load({ id: actor.id, at: actor.at });
    return refusals(async () => developmentPage(await activity.developments(), actor.at, 'DESC', first, after));
  }

  @FieldResolver(() => Int)
  async developmentCount(@Root() actor: ActorNode, @Ctx() context: GraphQLContext): Promise<number> {
    return (await context.loaders.actorActivity.load({ id: actor.id, at: actor.at })).developmentCount;
  }

  @FieldResolver(() => DateTime, { nullable: true })
  async lastActiveAt(@Root() actor: ActorNode, @Ctx() context: GraphQLContext): Promise<string | null> {
    return (await context.loaders.actorActivity.load({ id: actor.id, at: actor.at })).lastActiveAt;
  }

  @FieldResolver(() => ID, { description: viewIdDescription('actor') })
  viewId(@Root() actor: ActorNode | EntityReference): string {
    return viewIdOf(actor.id, actor.at);
  }

  @FieldResolver(() => DateTime)
  asOf(@Root() actor: ActorNode): Date {
    return actor.at.asOf;
  }

  @FieldResolver(() => DateTime)
  knownAt(@Root() actor: ActorNode): Date {
    return actor.at.knownAt;
  }
}

@Resolver(() => Role)
export class RoleResolver {
  @FieldResolver(() => Actor, { nullable: true })
  organization(@Root() role: RoleNode, @Ctx() context: GraphQLContext): Promise<ActorNode | null> | null {
    return role.organizationId === undefined
      ? null
      : context.loaders.actor.load({ id: role.organizationId, at: role.at });
  }
}

@Resolver(() => Position)
export class PositionResolver {
  @FieldResolver(() => Actor)
  actor(@Root() position: PositionNode, @Ctx() context: GraphQLContext) {
    return context.loaders.actor.load({ id: position.actorId, at: position.at });
  }

  @FieldResolver(() => Topic)
  topic(
    @Root() position: PositionNode,
    @Ctx() context: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): EntityReference | Promise<TopicNode | null> {
    return asksOnlyId(info)
      ? { id: position.topicId, at: position.at }
      : context.loaders.topic.load({ id: position.topicId, at: position.at });
  }

  @FieldResolver(() => Development)
  async development(@Root() position: PositionNode, @Ctx() context: GraphQLContext) {
    const development = await context.loaders.development.load({ id: position.developmentId, at: position.at });
    return development && at(development, position.at);
  }
}

@Resolver(() => Relation)
export class RelationResolver {
  @FieldResolver(() => Development, { nullable: true })
  async lastDevelopment(@Root() relation: RelationNode, @Ctx() context: GraphQLContext) {
    const development = await context.loaders.development.load({ id: relation.lastDevelopmentId, at: relation.at });
    return development && at(development, relation.at);
  }
}
