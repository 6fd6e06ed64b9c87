import { defineEvent } from './define-event.js';
import { DevelopmentContentSchema, EntityId } from './fields.js';

export const DevelopmentRecorded = defineEvent({
  type: 'DevelopmentRecorded',
  version: 1,
  category: 'development',
  doc: 'Something happened: who did what to whom, when (with a precision), on which topics, with quotes, sources, asserted positions and a meeting step.',
  schema: DevelopmentContentSchema.extend({ id: EntityId }),
});
