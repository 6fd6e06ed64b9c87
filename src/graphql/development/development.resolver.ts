import { listComplexity, pageComplexity } from '../common/complexity.js';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CommandName } from '../../application/commands/index.js';
import { assertedPositions } from '../../domain/positions.js';
import { timelineAt } from '../../time-travel/timeline.js';
import { Actor } from '../actor/actor.type.js';
import { Position } from '../actor/position.type.js';
import { SortOrder } from '../common/enums.js';
import { refusals } from '../common/errors.js';
import { PageArgs } from '../common/page.args.js';
import { plainInput } from '../common/plain-input.js';
import { DateTime } from '../common/scalars.js';
import { at, fixedAsOf, livePoint, timePoint } from '../common/time-point.js';
import { viewIdDescription, viewIdOf } from '../common/view-id.js';
import { commandMeta, type GraphQLContext } from '../context.js';
import { Meeting } from '../meeting/meeting.type.js';
import type {
  ActorNode,
  DevelopmentNode,
  MeetingNode,
  ParticipantNode,
  PositionNode,
  QuoteNode,
  TopicNode,
  VerificationNode,
} from '../nodes.js';
import { Topic } from '../topic/topic.type.js';
import {
  CorrectDevelopmentInput,
  RecordDevelopmentInput,
  RetractDevelopmentInput,
  TimelineFilter,
  VerifyDevelopmentInput,
} from './development.input.js';
import { developmentPage } from './development-page.js';
import { Development, DevelopmentConnection, Participant, Quote, Verification } from './development.type.js';

const present = <T>(value: T | null | Error): value is T => value !== null && !(value instanceof Error);

/** Runs a development command, waits for the read model to hold it, and serves the development as of now. */
const writeDevelopment = (context: GraphQLContext, command: CommandName, input: object) =>
  refusals(async (): Promise<DevelopmentNode> => {
    const result = await context.commands(command, plainInput(input), commandMeta(context));
    await context.projector.waitFor(result.position);
    const point = livePoint(new Date());
    const development = await context.loaders.development.load({ id: result.id, at: point });
    if (development === null) throw new Error(`development ${result.id} was written but is not in the read model`);
    return at(development, point);
  });

@Resolver(() => Development)
export class DevelopmentResolver {
  @Query(() => Development, { nullable: true })
  async development(
    @Arg('id', () => ID) id: string,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Ctx() context: GraphQLContext,
  ): Promise<DevelopmentNode | null> {
    const point = timePoint(context, undefined, knownAt);
    const development = await context.loaders.development.load({ id, at: point });
    return development && at(development, point);
  }

  @Query(() => DevelopmentConnection, {
    complexity: pageComplexity,
    description: 'Developments in world order (occurredAt, then recording order).',
  })
  timeline(
    @Arg('filter', () => TimelineFilter, { nullable: true }) filter: TimelineFilter | undefined,
    @Arg('knownAt', () => DateTime, { nullable: true }) knownAt: Date | undefined,
    @Arg('order', () => SortOrder, { nullable: true }) order: keyof typeof SortOrder | undefined,
    @Args(() => PageArgs) { first, after }: PageArgs,
    @Ctx() context: GraphQLContext,
  ) {
    const point = timePoint(context, undefined, knownAt);
    const direction = order ?? 'ASC';
    return refusals(async () =>
      developmentPage(
        await timelineAt(context.reads, filter ?? {}, point.knownAt, direction),
        point,
        direction,
        first,
        after,
      ),
    );
  }

  @Mutation(() => Development)
  recordDevelopment(
    @Arg('input', () => RecordDevelopmentInput) input: RecordDevelopmentInput,
    @Ctx() context: GraphQLContext,
  ) {
    return writeDevelopment(context, 'recordDevelopment', input);
  }

  @Mutation(() => Development)
  correctDevelopment(
    @Arg('input', () => CorrectDevelopmentInput) input: CorrectDevelopmentInput,
    @Ctx() context: GraphQLContext,
  ) {
    return writeDevelopment(context, 'correctDevelopment', input);
  }

  @Mutation(() => Development)
  verifyDevelopment(
    @Arg('input', () => VerifyDevelopmentInput) input: VerifyDevelopmentInput,
    @Ctx() context: GraphQLContext,
  ) {
    return writeDevelopment(context, 'verifyDevelopment', input);
  }

  @Mutation(() => Development)
  retractDevelopment(
    @Arg('input', () => RetractDevelopmentInput) input: RetractDevelopmentInput,
    @Ctx() context: GraphQLContext,
  ) {
    return writeDevelopment(context, 'retractDevelopment', input);
  }

  @FieldResolver(() => [Participant], { complexity: listComplexity(5) })
  participants(@Root() development: DevelopmentNode): ParticipantNode[] {
    return development.participants.map((participant) => at(participant, development.at));
  }

  @FieldResolver(() => [Topic], { complexity: listComplexity(5) })
  async topics(@Root() development: DevelopmentNode, @Ctx() context: GraphQLContext): Promise<TopicNode[]> {
    const topics = await context.loaders.topic.loadMany(development.topicIds.map((id) => ({ id, at: development.at })));
    return topics.filter(present);
  }

  @FieldResolver(() => [Quote], { complexity: listComplexity(5) })
  quotes(@Root() development: DevelopmentNode): QuoteNode[] {
    return development.quotes.map((quote) => at(quote, development.at));
  }

  @FieldResolver(() => [Position], {
    complexity: listComplexity(10),
    description: 'The stances this development asserts.',
  })
  positions(@Root() development: DevelopmentNode): PositionNode[] {
    return assertedPositions(development).map((position) => at(position, development.at));
  }

  @FieldResolver(() => Meeting, { nullable: true })
  async meeting(@Root() development: DevelopmentNode, @Ctx() context: GraphQLContext): Promise<MeetingNode | null> {
    if (development.meeting === undefined) return null;
    // The meeting at the asOf this development hangs under; one that lies ahead of it (a development dated in
    // the future) still shows the meeting it names, as of its own occurredAt.
    const occurredAt = Date.parse(development.occurredAt);
    const point =
      occurredAt > development.at.asOf.getTime() ? fixedAsOf(development.at, new Date(occurredAt)) : development.at;
    const meeting = await context.loaders.meeting.load({ id: development.meeting.id, at: point });
    return meeting && at(meeting, point);
  }

  @FieldResolver(() => ID, { description: viewIdDescription('development') })
  viewId(@Root() development: DevelopmentNode): string {
    return viewIdOf(development.id, development.at);
  }

  @FieldResolver(() => DateTime, {
    description:
      'The valid time its nested fields (participants, topics, meeting…) are answered at: inherited, or now.',
  })
  asOf(@Root() development: DevelopmentNode): Date {
    return development.at.asOf;
  }

  @FieldResolver(() => DateTime, {
    description: 'The transaction time this version was read at: the knownAt asked (here or above), or now.',
  })
  knownAt(@Root() development: DevelopmentNode): Date {
    return development.at.knownAt;
  }

  @FieldResolver(() => [Verification], { complexity: listComplexity(5) })
  verifications(@Root() development: DevelopmentNode): VerificationNode[] {
    return development.verifications.map((verification) => at(verification, development.at));
  }
}

@Resolver(() => Participant)
export class ParticipantResolver {
  @FieldResolver(() => Actor)
  actor(@Root() participant: ParticipantNode, @Ctx() context: GraphQLContext): Promise<ActorNode | null> {
    return context.loaders.actor.load({ id: participant.actorId, at: participant.at });
  }
}

@Resolver(() => Quote)
export class QuoteResolver {
  @FieldResolver(() => Actor, { nullable: true })
  speaker(@Root() quote: QuoteNode, @Ctx() context: GraphQLContext): Promise<ActorNode | null> | null {
    return quote.speakerId === undefined ? null : context.loaders.actor.load({ id: quote.speakerId, at: quote.at });
  }
}

@Resolver(() => Verification)
export class VerificationResolver {
  @FieldResolver(() => Actor, { nullable: true })
  by(@Root() verification: VerificationNode, @Ctx() context: GraphQLContext): Promise<ActorNode | null> | null {
    return verification.byActorId === undefined
      ? null
      : context.loaders.actor.load({ id: verification.byActorId, at: verification.at });
  }
}
