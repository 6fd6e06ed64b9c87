import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { EntityId, Instant, Text, TopicStatusSchema } from './fields.js';

export const TopicStatusChanged = defineEvent({
  type: 'TopicStatusChanged',
  version: 1,
  category: 'topic',
  doc: 'A topic moves to another status at a point in world time.',
  schema: z.strictObject({
    topicId: EntityId,
    status: TopicStatusSchema,
    at: Instant,
    reason: Text.optional(),
  }),
});
export type TopicStatusChangedData = z.infer<typeof TopicStatusChanged.schema>;
