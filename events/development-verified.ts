import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { EntityId, SourceSchema, Text, VerdictSchema } from './fields.js';

export const DevelopmentVerified = defineEvent({
  type: 'DevelopmentVerified',
  version: 1,
  category: 'development',
  doc: 'Someone confirmed, disputed or denied a development, optionally citing a source.',
  schema: z.strictObject({
    id: EntityId,
    status: VerdictSchema,
    byActorId: EntityId.optional(),
    summary: Text,
    source: SourceSchema.optional(),
  }),
});
