import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AdminResolver } from './admin/admin.resolver.js';
import { ActorResolver, PositionResolver, RelationResolver, RoleResolver } from './actor/actor.resolver.js';
import {
  DevelopmentResolver,
  ParticipantResolver,
  QuoteResolver,
  VerificationResolver,
} from './development/development.resolver.js';
import { EventLogResolver } from './event-log/event-log.resolver.js';
import { LiveResolver } from './live/live.resolver.js';
import { MeetingResolver } from './meeting/meeting.resolver.js';
import { TopicResolver } from './topic/topic.resolver.js';

const RESOLVERS = [
  ActorResolver,
  RoleResolver,
  PositionResolver,
  RelationResolver,
  TopicResolver,
  MeetingResolver,
  DevelopmentResolver,
  ParticipantResolver,
  QuoteResolver,
  VerificationResolver,
  EventLogResolver,
  LiveResolver,
  AdminResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The served schema. Built once per process: type-graphql's metadata is global. */
export const timelineSchema = (): Promise<GraphQLSchema> =>
  (built ??= buildSchema({
    resolvers: RESOLVERS,
    // Commands validate their input with zod, so that GraphQL and file imports meet the same rules.
    validate: false,
    // Every subscription brings its own source (src/live), read from the log; type-graphql insists on a PubSub.
    pubSub: {
      publish: () => {
        throw new Error('the timeline publishes through its log, not through type-graphql');
      },
      subscribe: () => {
        throw new Error('every subscription of the timeline has its own subscribe function');
      },
    },
    emitSchemaFile: false,
  }));
