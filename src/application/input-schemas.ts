import { z } from 'zod';
import {
  ACTOR_CAMEO_CODE,
  ActorKindSchema,
  CameoEventCode,
  CountryCode,
  DevelopmentKindSchema,
  EntityId,
  MeetingStatusSchema,
  ParticipantRoleSchema,
  ShortText,
  StanceSchema,
  Text,
  TimePrecisionSchema,
  Tone,
  TopicStatusSchema,
} from '../../events/fields.js';
import { VERIFICATION_STATUSES } from '../../events/vocabulary.js';

/**
 * The inputs of the contract's mutations, as every writer (GraphQL, NDJSON import, seed) hands them in.
 * Instants arrive as Date (GraphQL's DateTime scalar) or ISO strings (files) and leave as canonical UTC strings.
 * Absent optional fields may come as null from GraphQL; they are read as absent.
 */

const InstantInput = z
  .union([z.date(), z.iso.datetime({ offset: true, message: 'not an ISO-8601 date-time' })])
  .transform((value, context) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: 'custom', message: 'not a valid instant' });
      return z.NEVER;
    }
    return date.toISOString();
  });

/** GraphQL sends null for an optional field the client spelled out as null; commands treat it as absent. */
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => (value === null ? undefined : value) as z.output<T> | undefined);

const Url = z.url({ message: 'not a valid URL' }).max(2_000);

export const RegisterActorInput = z.strictObject({
  id: EntityId,
  name: ShortText,
  kind: ActorKindSchema,
  aliases: optional(z.array(ShortText)),
  cameoCode: optional(z.string().regex(ACTOR_CAMEO_CODE, 'CAMEO actor codes are letters and digits, e.g. USAGOV')),
  country: optional(CountryCode),
});

export const AssignRoleInput = z
  .strictObject({
    actorId: EntityId,
    title: ShortText,
    organizationId: optional(EntityId),
    since: InstantInput,
    until: optional(InstantInput),
  })
  .superRefine((input, context) => {
    if (input.until !== undefined && Date.parse(input.until) <= Date.parse(input.since)) {
      context.addIssue({ code: 'custom', path: ['until'], message: 'until must be after since' });
    }
  });

export const OpenTopicInput = z.strictObject({
  id: EntityId,
  title: ShortText,
  description: optional(Text),
  parentId: optional(EntityId),
  openedAt: InstantInput,
});

export const ChangeTopicStatusInput = z.strictObject({
  topicId: EntityId,
  status: TopicStatusSchema,
  at: InstantInput,
  reason: optional(Text),
});

export const ParticipantInput = z.strictObject({ actorId: EntityId, role: ParticipantRoleSchema });
export const QuoteInput = z.strictObject({ speakerId: optional(EntityId), text: Text });
export const SourceInput = z.strictObject({
  publisher: ShortText,
  url: optional(Url),
  title: optional(ShortText),
  publishedAt: optional(InstantInput),
});
export const PositionInput = z.strictObject({
  actorId: EntityId,
  topicId: EntityId,
  stance: StanceSchema,
  summary: optional(Text),
});
export const MeetingInput = z.strictObject({
  id: EntityId,
  title: optional(ShortText),
  status: MeetingStatusSchema,
  location: optional(ShortText),
  scheduledFor: optional(InstantInput),
  participantIds: optional(z.array(EntityId)),
  topicIds: optional(z.array(EntityId)),
});

const developmentFields = {
  kind: DevelopmentKindSchema,
  mode: optional(ShortText),
  title: ShortText,
  summary: optional(Text),
  occurredAt: InstantInput,
  precision: optional(TimePrecisionSchema),
  location: optional(ShortText),
  participants: z.array(ParticipantInput),
  topicIds: z.array(EntityId),
  quotes: optional(z.array(QuoteInput)),
  sources: z.array(SourceInput),
  positions: optional(z.array(PositionInput)),
  meeting: optional(MeetingInput),
  tone: optional(Tone),
  cameoCode: optional(CameoEventCode),
};

export const RecordDevelopmentInput = z.strictObject({ id: optional(EntityId), ...developmentFields });

/** In a patch, an absent field stays as it is and null removes an optional field. */
const patchable = <T extends z.ZodType>(schema: T) => schema.nullish();
const required = <T extends z.ZodType>(schema: T) => schema.optional();

export const DevelopmentPatchInput = z.strictObject({
  kind: required(DevelopmentKindSchema),
  mode: patchable(ShortText),
  title: required(ShortText),
  summary: patchable(Text),
  occurredAt: required(InstantInput),
  precision: required(TimePrecisionSchema),
  location: patchable(ShortText),
  participants: required(z.array(ParticipantInput)),
  topicIds: required(z.array(EntityId)),
  // Lists a development always has: [] empties them, null is refused (there is nothing to remove).
  quotes: required(z.array(QuoteInput)),
  sources: required(z.array(SourceInput)),
  positions: required(z.array(PositionInput)),
  meeting: patchable(MeetingInput),
  tone: patchable(Tone),
  cameoCode: patchable(CameoEventCode),
});

const Revision = z.number().int().min(0);

export const CorrectDevelopmentInput = z.strictObject({
  id: EntityId,
  expectedRevision: Revision,
  reason: Text,
  patch: DevelopmentPatchInput,
});

export const VerifyDevelopmentInput = z.strictObject({
  id: EntityId,
  expectedRevision: optional(Revision),
  status: z.enum(VERIFICATION_STATUSES).refine((status) => status !== 'REPORTED' && status !== 'RETRACTED', {
    message: 'a verification is CONFIRMED, DISPUTED or DENIED (retract a development with retractDevelopment)',
  }),
  byActorId: optional(EntityId),
  summary: Text,
  source: optional(SourceInput),
});

export const RetractDevelopmentInput = z.strictObject({
  id: EntityId,
  expectedRevision: Revision,
  reason: Text,
});
