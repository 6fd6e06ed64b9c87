import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { EntityId, Text } from './fields.js';

export const DevelopmentRetracted = defineEvent({
  type: 'DevelopmentRetracted',
  version: 1,
  category: 'development',
  doc: 'A development should never have been recorded; it leaves every fold known after the retraction.',
  schema: z.strictObject({ id: EntityId, reason: Text }),
});
