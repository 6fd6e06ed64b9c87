import { Ctx, Query, Resolver } from 'type-graphql';
import { encodePosition } from '../../store/position-cursor.js';
import type { GraphQLContext } from '../context.js';
import { ApiKeyInfo, type ApiKeyRole, ServerStatus } from './admin.type.js';

/**
 * Operations for operators, open to admin keys only: the gate (gate-plugin.ts) refuses an operation that selects
 * any of ADMIN_FIELDS unless its key is an admin's.
 */
export const ADMIN_FIELDS: ReadonlySet<string> = new Set(['apiKeys', 'serverStatus']);

@Resolver()
export class AdminResolver {
  @Query(() => [ApiKeyInfo], { description: 'The keys this server knows, by name and role (admin keys only).' })
  apiKeys(@Ctx() context: GraphQLContext): ApiKeyInfo[] {
    return context.keyRing.list().map(({ name, role }) => ({ name, role: role.toUpperCase() as ApiKeyRole }));
  }

  @Query(() => ServerStatus, { description: 'How this process and its read models stand (admin keys only).' })
  async serverStatus(@Ctx() context: GraphQLContext): Promise<ServerStatus> {
    const head = await context.store.headPosition();
    const checkpoint = context.projector.checkpoint;
    const { leading } = context.projector as { leading?: boolean };
    return {
      role: context.serverRole,
      checkpoint: checkpoint === null ? null : encodePosition(checkpoint),
      logHead: head === null ? null : encodePosition(head),
      caughtUp: await context.projector.isCaughtUp().catch(() => false),
      leading: leading ?? null,
      liveSubscriptions: context.live.openSubscriptions(),
    };
  }
}
