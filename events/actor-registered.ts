import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { ACTOR_CAMEO_CODE, ActorKindSchema, CountryCode, EntityId, ShortText } from './fields.js';

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
      .regex(ACTOR_CAMEO_CODE, 'CAMEO actor codes are letters and digits, e.g. USAGOV (GDELT: "tib")')
      .optional(),
    country: CountryCode.optional(),
  }),
});
export type ActorRegisteredData = z.infer<typeof ActorRegistered.schema>;
