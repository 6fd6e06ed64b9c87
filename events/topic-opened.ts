import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { EntityId, Instant, ShortText, Text } from './fields.js';

export const TopicOpened = defineEvent({
  type: 'TopicOpened',
  version: 1,
  category: 'topic',
  doc: 'A subject of diplomacy exists from openedAt on, optionally under a parent topic; it is EMERGING until its first status change.',
  schema: z.strictObject({
    id: EntityId,
    title: ShortText,
    description: Text.optional(),
    parentId: EntityId.optional(),
    openedAt: Instant,
  }),
});
export type TopicOpenedData = z.infer<typeof TopicOpened.schema>;
