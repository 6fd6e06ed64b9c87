import { listComplexity, pageComplexity } from '../common/complexity.js';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CommandResult } from '../../application/command-context.js';
import { topicsAt } from '../../time-travel/listings.js';
import type { TopicState } from '../../domain/topic.js';
import { latestState } from '../../time-travel/known-state.js';
import { subtopicsAt } from '../../time-travel/topic-at.js';
import { Actor } from '../actor/actor.type.js';
import { Position } from '../actor/position.type.js';
import { compareKeys, paginate } from '../common/connection.js';
import { refusals } from '../common/errors.js';
import { PageArgs } from '../common/page.args.js';
import { plainInput } from '../common/plain-input.js';
import { DateTime } from '../common/scalars.js';
import { at, fixedAsOf, livePoint, timePoint } from '../common/time-point.js';
import { viewIdDescription, viewIdOf } from '../common/view-id.js';
import { commandMeta, type GraphQLContext } from '../context.js';
import { DevelopmentConnection } from '../development/development.type.js';
import { developmentPage } from '../development/development-page.js';
import { Meeting } from '../meeting/meeting.type.js';
import type { ActorNode, EntityReference, MeetingNode, PositionNode, TopicNode } from '../nodes.js';
import { ChangeTopicStatusInput, OpenTopicInput, TopicFilter } from './topic.input.js';
import { Topic, TopicConnection } from './topic.type.js';

/** After a write: wait for the read model, then serve the topic now, or at its opening if that is still to come. */
const loadWrittenTopic = async (context: GraphQLContext, result: CommandResult): Promise<TopicNode> => {
  await context.projector.waitFor(result.position);
  const now = livePoint(new Date());
  const openedAt = Date.parse((await latestState<TopicState>(context.reads, 'topic', result.id))?.openedAt ?? '');
  const point = openedAt > now.asOf.getTime() ? fixedAsOf(now, new Date(openedAt)) : now;
  const topic = await context.loaders.topic.load({ id: result.id, at: point });
  if (topic === null) throw new Error(`topic ${result.id} was written but is not in the read model`);
  return topic;
};

@Resolver(() => Topic)
export class TopicResolver {
  @Query(() => Topic, { nullable: true })
  topic(
    @Arg('id', () => ID) id: string,
    @Arg('asOf', () => DateTime, { nullable: true }) asOf: Date | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Ctx() context: GraphQLContext,
  ): Promise<TopicNode | null> {
    return context.loaders.topic.load({ id, at: timePoint(context, asOf, knownAt) });
  }

  @Query(() => TopicConnection, { complexity: pageComplexity })
  topics(
    @Arg('filter', () => TopicFilter, { nullable: true }) filter: TopicFilter | undefined,
    @Arg('asOf', () => DateTime, { nullable: true }) asOf: Date | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() context: GraphQLContext,
  ) {
    return refusals(async () =>
      paginate(await topicsAt(context.reads, filter ?? {}, timePoint(context, asOf, knownAt)), {
        first,
        after,
        keyOf: (topic) => [Date.parse(topic.openedAt), topic.id],
        compare: compareKeys([1, 1]),
      }),
    );
  }

  @Mutation(() => Topic)
  openTopic(@Arg('input', () => OpenTopicInput) input: OpenTopicInput, @Ctx() context: GraphQLContext) {
    return refusals(async () =>
      loadWrittenTopic(context, await context.commands('openTopic', plainInput(input), commandMeta(context))),
    );
  }

  @Mutation(() => Topic)
  changeTopicStatus(
    @Arg('input', () => ChangeTopicStatusInput) input: ChangeTopicStatusInput,
    @Ctx() context: GraphQLContext,
  ) {
    return refusals(async () =>
      loadWrittenTopic(context, await context.commands('changeTopicStatus', plainInput(input), commandMeta(context))),
    );
  }

  @FieldResolver(() => Topic, { nullable: true })
  parent(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<TopicNode | null> | null {
    return topic.parentId === undefined ? null : context.loaders.topic.load({ id: topic.parentId, at: topic.at });
  }

  @FieldResolver(() => [Topic], { complexity: listComplexity(5) })
  subtopics(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<TopicNode[]> {
    return subtopicsAt(context.reads, topic.id, topic.at);
  }

  @FieldResolver(() => [Actor], {
    complexity: listComplexity(10),
    description: 'Actors taking part in developments on this topic up to asOf.',
  })
  async actors(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<ActorNode[]> {
    const activity = await context.loaders.topicActivity.load({ id: topic.id, at: topic.at });
    const actors = await context.loaders.actor.loadMany(activity.actorIds.map((id) => ({ id, at: topic.at })));
    return actors.filter((actor): actor is ActorNode => actor !== null && !(actor instanceof Error));
  }

  @FieldResolver(() => [Position], { complexity: listComplexity(10) })
  async positions(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<PositionNode[]> {
    const activity = await context.loaders.topicActivity.load({ id: topic.id, at: topic.at });
    return activity.positions.map((position) => at(position, topic.at));
  }

  @FieldResolver(() => [Meeting], { complexity: listComplexity(10) })
  async meetings(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<MeetingNode[]> {
    const activity = await context.loaders.topicActivity.load({ id: topic.id, at: topic.at });
    return activity.meetings.map((meeting) => at(meeting, topic.at));
  }

  @FieldResolver(() => DevelopmentConnection, {
    complexity: pageComplexity,
    description: 'Developments on this topic, occurredAt <= asOf, newest first.',
  })
  async developments(
    @Root() topic: TopicNode,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() context: GraphQLContext,
  ) {
    const activity = await context.loaders.topicActivity.load({ id: topic.id, at: topic.at });
    return refusals(() => developmentPage(activity.developments, topic.at, 'DESC', first, after));
  }

  @FieldResolver(() => Int)
  async developmentCount(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<number> {
    return (await context.loaders.topicActivity.load({ id: topic.id, at: topic.at })).developments.length;
  }

  @FieldResolver(() => DateTime, { nullable: true })
  async firstDevelopmentAt(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<string | null> {
    return (await context.loaders.topicActivity.load({ id: topic.id, at: topic.at })).firstDevelopmentAt;
  }

  @FieldResolver(() => DateTime, { nullable: true })
  async lastDevelopmentAt(@Root() topic: TopicNode, @Ctx() context: GraphQLContext): Promise<string | null> {
    return (await context.loaders.topicActivity.load({ id: topic.id, at: topic.at })).lastDevelopmentAt;
  }

  @FieldResolver(() => ID, { description: viewIdDescription('topic') })
  viewId(@Root() topic: TopicNode | EntityReference): string {
    return viewIdOf(topic.id, topic.at);
  }

  @FieldResolver(() => DateTime)
  asOf(@Root() topic: TopicNode): Date {
    return topic.at.asOf;
  }

  @FieldResolver(() => DateTime)
  knownAt(@Root() topic: TopicNode): Date {
    return topic.at.knownAt;
  }
}
