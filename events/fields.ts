import { z } from 'zod';
import {
  ACTOR_KINDS,
  DEVELOPMENT_KINDS,
  MEETING_STATUSES,
  PARTICIPANT_ROLES,
  STANCES,
  TIME_PRECISIONS,
  TOPIC_STATUSES,
  VERDICTS,
} from './vocabulary.js';

/** Schema pieces shared by several events. Events hold instants as canonical UTC ISO strings. */

export const EntityId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'ids are slugs: letters, digits, ".", "_", ":" and "-"');

export const Instant = z.iso.datetime();
export const Text = z.string().trim().min(1).max(10_000);
export const ShortText = z.string().trim().min(1).max(500);
export const Tone = z.number().min(-10).max(10);

/** An actor's CAMEO code. GDELT writes ethnic and religious codes in lower case (e.g. "tib"): the case is the code's. */
export const ACTOR_CAMEO_CODE = /^[A-Za-z0-9]{3,15}$/;
export const CountryCode = z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3, e.g. USA');
export const CameoEventCode = z.string().regex(/^\d{2,4}$/, 'CAMEO event codes are 2 to 4 digits');

export const ActorKindSchema = z.enum(ACTOR_KINDS);
export const TopicStatusSchema = z.enum(TOPIC_STATUSES);
export const MeetingStatusSchema = z.enum(MEETING_STATUSES);
export const DevelopmentKindSchema = z.enum(DEVELOPMENT_KINDS);
export const TimePrecisionSchema = z.enum(TIME_PRECISIONS);
export const ParticipantRoleSchema = z.enum(PARTICIPANT_ROLES);
export const StanceSchema = z.enum(STANCES);
export const VerdictSchema = z.enum(VERDICTS);

const ParticipantSchema = z.strictObject({ actorId: EntityId, role: ParticipantRoleSchema });
export type Participant = z.infer<typeof ParticipantSchema>;

const QuoteSchema = z.strictObject({ speakerId: EntityId.optional(), text: Text });
export type Quote = z.infer<typeof QuoteSchema>;

export const SourceSchema = z.strictObject({
  publisher: ShortText,
  url: z.url().max(2_000).optional(),
  title: ShortText.optional(),
  publishedAt: Instant.optional(),
});
export type Source = z.infer<typeof SourceSchema>;

const PositionAssertionSchema = z.strictObject({
  actorId: EntityId,
  topicId: EntityId,
  stance: StanceSchema,
  summary: Text.optional(),
});

/** One step in a meeting's life, carried by the development that names the meeting. */
const MeetingStepSchema = z.strictObject({
  id: EntityId,
  title: ShortText.optional(),
  status: MeetingStatusSchema,
  location: ShortText.optional(),
  scheduledFor: Instant.optional(),
  participantIds: z.array(EntityId).optional(),
  topicIds: z.array(EntityId).optional(),
});

/** The content of a development: what DevelopmentRecorded carries and what a correction patches. */
export const DevelopmentContentSchema = z.strictObject({
  kind: DevelopmentKindSchema,
  mode: ShortText.optional(),
  title: ShortText,
  summary: Text.optional(),
  occurredAt: Instant,
  precision: TimePrecisionSchema,
  location: ShortText.optional(),
  participants: z.array(ParticipantSchema),
  topicIds: z.array(EntityId),
  quotes: z.array(QuoteSchema),
  sources: z.array(SourceSchema),
  positions: z.array(PositionAssertionSchema),
  meeting: MeetingStepSchema.optional(),
  tone: Tone.optional(),
  cameoCode: CameoEventCode.optional(),
});
export type DevelopmentContent = z.infer<typeof DevelopmentContentSchema>;
