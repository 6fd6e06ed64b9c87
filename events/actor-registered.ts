import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { ActorKindSchema, EntityId, ShortText } from './fields.js';

export const ActorRegistered = defineEvent({
  type: 'ActorRegistered',
  version: 1,
  category: 'actor',
  doc: 'A person, state, organization or group becomes known to the timeline.',
  schema: z.strictObject({
    id: EntityId,
    name: ShortText,
    kind: ActorKindSchema,
    aliases: z.array(ShortText),
    cameoCode: z
      .string()
      .regex(/^[A-Za-z0-9]{3,15}$/, 'CAMEO actor codes are letters and digits, e.g. USAGOV (GDELT: "tib")')
      .optional(),
    country: z
      .string()
      .regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3, e.g. USA')
      .optional(),
  }),
});
export type ActorRegisteredData = z.infer<typeof ActorRegistered.schema>;
