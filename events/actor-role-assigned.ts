import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { EntityId, Instant, ShortText } from './fields.js';

export const ActorRoleAssigned = defineEvent({
  type: 'ActorRoleAssigned',
  version: 1,
  category: 'actor',
  doc: 'An actor holds a title, optionally within an organization, from since until until (open-ended when absent).',
  schema: z.strictObject({
    actorId: EntityId,
    title: ShortText,
    organizationId: EntityId.optional(),
    since: Instant,
    until: Instant.optional(),
  }),
});
export type ActorRoleAssignedData = z.infer<typeof ActorRoleAssigned.schema>;
