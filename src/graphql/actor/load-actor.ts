import type { CommandResult } from '../../application/command-context.js';
import type { GraphQLContext } from '../context.js';
import type { ActorNode } from '../nodes.js';
import { livePoint } from '../common/time-point.js';

/** After a write: wait until the read model holds it, then serve the actor as of now. */
export const loadActor = async (context: GraphQLContext, result: CommandResult): Promise<ActorNode> => {
  await context.projector.waitFor(result.position);
  const actor = await context.loaders.actor.load({ id: result.id, at: livePoint(new Date()) });
  if (actor === null) throw new Error(`actor ${result.id} was written but is not in the read model`);
  return actor;
};
