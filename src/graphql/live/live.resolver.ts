import { setTimeout as pause } from 'node:timers/promises';
import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { badInput } from '../../application/errors.js';
import { entityChanges, touchesActor, touchesTopic } from '../../live/entity-changes.js';
import { stoppable, TOO_SLOW } from '../../live/live-events.js';
import { isAfter } from '../../../events/envelope.js';
import { timelineChanges, type TimelineChangeItem } from '../../live/timeline-changes.js';
import { decodePosition, encodePosition } from '../../store/position-cursor.js';
import { Actor } from '../actor/actor.type.js';
import { graphQLError, refusals, toGraphQLError } from '../common/errors.js';
import { isPageCursor } from '../common/connection.js';
import { at, fixedAsOf, livePoint } from '../common/time-point.js';
import { DateTime } from '../common/scalars.js';
import type { GraphQLContext } from '../context.js';
import { TimelineFilter } from '../development/development.input.js';
import type { ActorNode, DevelopmentNode, TopicNode } from '../nodes.js';
import { Topic } from '../topic/topic.type.js';
import { TimelineChange } from './timeline-change.type.js';
import { TimelineError } from '../../application/errors.js';
import type { TopicState } from '../../domain/topic.js';
import { latestState } from '../../time-travel/known-state.js';

interface TimelineChangesArgs {
  readonly filter?: TimelineFilter | null;
  readonly after?: string | null;
  readonly since?: Date | null;
}

type Tick<T> = T | typeof TOO_SLOW;

const TAKES =
  'after takes a log position: the cursor of a TimelineChange this subscription sent, or a RecordedEvent position ' +
  '(eventLog)';

/**
 * A page's cursor (timeline's and every connection's) is a place in world order, occurredAt first: no log position
 * follows from it, and a feed started anywhere near it would miss or repeat changes. Refused, naming what is taken.
 */
const notALogPosition = (after: string) =>
  toGraphQLError(
    badInput(
      isPageCursor(after)
        ? `${TAKES}; this is a page cursor (timeline, developments…), which orders by occurredAt, not by the log: ` +
            'pass since (a recorded time) to replay from a time instead'
        : `${TAKES}; this is not one`,
      ['after'],
    ),
  );

/** Where a feed starts: after a cursor, at the first change recorded at or after `since`, or live. */
const startOf = async (context: GraphQLContext, { after, since }: TimelineChangesArgs) => {
  if (after !== undefined && after !== null) {
    const position = decodePosition(after);
    if (position === null) throw notALogPosition(after);
    const head = await context.store.headPosition();
    if (head === null || isAfter(position, head)) {
      throw toGraphQLError(badInput('after is a cursor past the end of this log', ['after']));
    }
    return position;
  }
  if (since) return context.reads.positionRecordedBefore(since.getTime());
  return 'live' as const;
};

/**
 * Each tick is served "as of now": a subscription outlives any one moment, so the request-scoped caches start
 * afresh for every change it sends.
 */
const freshNow = (context: GraphQLContext) => {
  for (const loader of Object.values(context.loaders)) loader.clearAll();
  return livePoint(new Date());
};

/**
 * Waits between reads of a tick's development while the read models do not answer (a Redis restart, a failover): a
 * short outage delays the feed rather than interrupting it. Past the last, the tick fails and the feed ends with it
 * (server/shared-subscription-results.ts), for the client to resume from its last cursor.
 */
const TICK_RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000, 4_000];

const developmentOfTick = async (context: GraphQLContext, tick: TimelineChangeItem) => {
  for (let attempt = 0; ; attempt++) {
    const point = freshNow(context);
    try {
      const development = await context.loaders.development.load({ id: tick.developmentId, at: point });
      if (development === null) throw new Error(`development ${tick.developmentId} is not in the read model`);
      return at(development, point) as DevelopmentNode;
    } catch (error) {
      const delay = TICK_RETRY_DELAYS_MS[attempt];
      if (error instanceof TimelineError || delay === undefined) throw error;
      await pause(delay);
    }
  }
};

const tooSlow = () =>
  graphQLError(
    'SUBSCRIBER_TOO_SLOW',
    'this subscription fell too far behind and was closed; resubscribe with the last cursor you received',
  );

@Resolver(() => TimelineChange)
export class LiveResolver {
  @Subscription(() => TimelineChange, {
    description:
      'Every change to developments that match the filter, in log order. With `after` (a cursor) or `since` (a recorded time) it first replays the log from there (phase REPLAY), then goes on live (phase LIVE) with no gap and no duplicate between the two. With neither, live changes only.',
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>) => {
      const after = await startOf(context, args as TimelineChangesArgs);
      return stoppable((signal) =>
        timelineChanges(context, {
          filter: (args as TimelineChangesArgs).filter ?? {},
          after,
          bufferLimit: context.live.bufferLimit,
          signal,
        }),
      );
    },
  })
  async timelineChanges(
    @Root() tick: Tick<TimelineChangeItem>,
    @Arg('filter', () => TimelineFilter, { nullable: true }) _filter: TimelineFilter | undefined,
    @Arg('after', () => String, { nullable: true }) _after: string | undefined,
    @Arg('since', () => DateTime, { nullable: true }) _since: Date | undefined,
    @Ctx() context: GraphQLContext,
  ) {
    if (tick === TOO_SLOW) throw tooSlow();
    return {
      cursor: encodePosition(tick.position),
      phase: tick.phase,
      change: tick.change,
      development: await developmentOfTick(context, tick),
    };
  }

  @Subscription(() => Actor, {
    description: "The actor's new state (as of now) each time a change touches it.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>) =>
      stoppable((signal) =>
        entityChanges(context, touchesActor((args as { id: string }).id), context.live.bufferLimit, signal),
      ),
  })
  async actorChanged(
    @Root() tick: Tick<unknown>,
    @Arg('id', () => ID) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<ActorNode> {
    if (tick === TOO_SLOW) throw tooSlow();
    return refusals(async () => {
      const actor = await context.loaders.actor.load({ id, at: freshNow(context) });
      if (actor === null) throw new TimelineError('NOT_FOUND', `actor "${id}" is not registered`);
      return actor;
    });
  }

  @Subscription(() => Topic, {
    description: "The topic's new state (as of now) each time a change touches it.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>) =>
      stoppable((signal) =>
        entityChanges(context, touchesTopic((args as { id: string }).id), context.live.bufferLimit, signal),
      ),
  })
  async topicChanged(
    @Root() tick: Tick<unknown>,
    @Arg('id', () => ID) id: string,
    @Ctx() context: GraphQLContext,
  ): Promise<TopicNode> {
    if (tick === TOO_SLOW) throw tooSlow();
    return refusals(async () => {
      const now = freshNow(context);
      // A topic opened for a date still to come is served at its opening, as openTopic's answer is.
      const openedAt = Date.parse((await latestState<TopicState>(context.reads, 'topic', id))?.openedAt ?? '');
      const point = openedAt > now.asOf.getTime() ? fixedAsOf(now, new Date(openedAt)) : now;
      const topic = await context.loaders.topic.load({ id, at: point });
      if (topic === null) throw new TimelineError('NOT_FOUND', `topic "${id}" is not open`);
      return topic;
    });
  }
}
