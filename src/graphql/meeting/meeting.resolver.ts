import { listComplexity, pageComplexity } from '../common/complexity.js';
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { meetingsAt } from '../../time-travel/listings.js';
import { Actor } from '../actor/actor.type.js';
import { compareKeys, paginate } from '../common/connection.js';
import { refusals } from '../common/errors.js';
import { PageArgs } from '../common/page.args.js';
import { DateTime } from '../common/scalars.js';
import { at, timePoint } from '../common/time-point.js';
import { viewIdDescription, viewIdOf } from '../common/view-id.js';
import type { GraphQLContext } from '../context.js';
import { Development } from '../development/development.type.js';
import type { ActorNode, DevelopmentNode, MeetingNode, TopicNode } from '../nodes.js';
import { Topic } from '../topic/topic.type.js';
import { MeetingFilter } from './meeting.input.js';
import { Meeting, MeetingConnection } from './meeting.type.js';

const present = <T>(value: T | null | Error): value is T => value !== null && !(value instanceof Error);

/** Unscheduled meetings sort last: their key carries the largest date there is. */
const UNSCHEDULED = 8.64e15;

@Resolver(() => Meeting)
export class MeetingResolver {
  @Query(() => Meeting, { nullable: true })
  async meeting(
    @Arg('id', () => ID) id: string,
    @Arg('asOf', () => DateTime, { nullable: true }) asOf: Date | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Ctx() context: GraphQLContext,
  ): Promise<MeetingNode | null> {
    const point = timePoint(context, asOf, knownAt);
    const meeting = await context.loaders.meeting.load({ id, at: point });
    return meeting && at(meeting, point);
  }

  @Query(() => MeetingConnection, {
    complexity: pageComplexity,
    description: 'Meetings that exist at asOf, soonest scheduledFor first (unscheduled last).',
  })
  meetings(
    @Arg('filter', () => MeetingFilter, { nullable: true }) filter: MeetingFilter | undefined,
    @Arg('asOf', () => DateTime, { nullable: true }) asOf: Date | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() context: GraphQLContext,
  ) {
    const point = timePoint(context, asOf, knownAt);
    return refusals(async () =>
      paginate(
        (await meetingsAt(context.reads, filter ?? {}, point)).map((meeting) => at(meeting, point)),
        {
          first,
          after,
          keyOf: (meeting) => [meeting.scheduledFor ? Date.parse(meeting.scheduledFor) : UNSCHEDULED, meeting.id],
          compare: compareKeys([1, 1]),
        },
      ),
    );
  }

  @FieldResolver(() => [Actor], { complexity: listComplexity(10) })
  async participants(@Root() meeting: MeetingNode, @Ctx() context: GraphQLContext): Promise<ActorNode[]> {
    const actors = await context.loaders.actor.loadMany(meeting.participantIds.map((id) => ({ id, at: meeting.at })));
    return actors.filter(present);
  }

  @FieldResolver(() => [Topic], { complexity: listComplexity(5) })
  async topics(@Root() meeting: MeetingNode, @Ctx() context: GraphQLContext): Promise<TopicNode[]> {
    const topics = await context.loaders.topic.loadMany(meeting.topicIds.map((id) => ({ id, at: meeting.at })));
    return topics.filter(present);
  }

  @FieldResolver(() => [Development], {
    complexity: listComplexity(20),
    description: 'The developments that named this meeting, occurredAt <= asOf, oldest first.',
  })
  async developments(@Root() meeting: MeetingNode, @Ctx() context: GraphQLContext): Promise<DevelopmentNode[]> {
    const developments = await context.loaders.development.loadMany(
      meeting.developmentIds.map((id) => ({ id, at: meeting.at })),
    );
    return developments.filter(present).map((development) => at(development, meeting.at));
  }

  @FieldResolver(() => ID, { description: viewIdDescription('meeting') })
  viewId(@Root() meeting: MeetingNode): string {
    return viewIdOf(meeting.id, meeting.at);
  }

  @FieldResolver(() => DateTime)
  asOf(@Root() meeting: MeetingNode): Date {
    return meeting.at.asOf;
  }

  @FieldResolver(() => DateTime)
  knownAt(@Root() meeting: MeetingNode): Date {
    return meeting.at.knownAt;
  }
}
