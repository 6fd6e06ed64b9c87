import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { DevelopmentContentSchema, EntityId, Text } from './fields.js';

/** Optional content fields may be set to null by a correction, which removes them. */
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const content = DevelopmentContentSchema.shape;

const DevelopmentPatchSchema = z.strictObject({
  kind: content.kind.optional(),
  mode: nullable(content.mode.unwrap()),
  title: content.title.optional(),
  summary: nullable(content.summary.unwrap()),
  occurredAt: content.occurredAt.optional(),
  precision: content.precision.optional(),
  location: nullable(content.location.unwrap()),
  participants: content.participants.optional(),
  topicIds: content.topicIds.optional(),
  quotes: content.quotes.optional(),
  sources: content.sources.optional(),
  positions: content.positions.optional(),
  meeting: nullable(content.meeting.unwrap()),
  tone: nullable(content.tone.unwrap()),
  cameoCode: nullable(content.cameoCode.unwrap()),
});
export type DevelopmentPatch = z.infer<typeof DevelopmentPatchSchema>;

export const DevelopmentCorrected = defineEvent({
  type: 'DevelopmentCorrected',
  version: 1,
  category: 'development',
  doc: 'A recorded development was wrong in some fields; the patch holds their new values (null removes an optional field).',
  schema: z.strictObject({
    id: EntityId,
    reason: Text,
    patch: DevelopmentPatchSchema,
    changedFields: z.array(z.string()).min(1),
  }),
});
export type DevelopmentCorrectedData = z.infer<typeof DevelopmentCorrected.schema>;
