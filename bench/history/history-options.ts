import type { z } from 'zod';
import type { CommandName } from '../../src/application/commands/index.js';
import type {
  AssignRoleInput,
  ChangeTopicStatusInput,
  CorrectDevelopmentInput,
  OpenTopicInput,
  RecordDevelopmentInput,
  RegisterActorInput,
  RetractDevelopmentInput,
  VerifyDevelopmentInput,
} from '../../src/application/input-schemas.js';

/** What a synthetic history is made of (its options), and the commands it is written as. */

/** The input of each command as its mutation takes it (before the schema's transforms). */
export interface CommandInputs {
  registerActor: z.input<typeof RegisterActorInput>;
  assignRole: z.input<typeof AssignRoleInput>;
  openTopic: z.input<typeof OpenTopicInput>;
  changeTopicStatus: z.input<typeof ChangeTopicStatusInput>;
  recordDevelopment: z.input<typeof RecordDevelopmentInput>;
  correctDevelopment: z.input<typeof CorrectDevelopmentInput>;
  verifyDevelopment: z.input<typeof VerifyDevelopmentInput>;
  retractDevelopment: z.input<typeof RetractDevelopmentInput>;
}

export type GeneratedCommand = {
  [K in CommandName]: { readonly command: K; readonly input: CommandInputs[K] };
}[CommandName];

export type RecordInput = CommandInputs['recordDevelopment'];
export type PositionIn = NonNullable<RecordInput['positions']>[number];
export type MeetingIn = NonNullable<RecordInput['meeting']>;

export interface HistoryOptions {
  readonly developments: number;
  readonly seed: number;
  readonly actors: number;
  readonly topics: number;
  readonly meetings: number;
  /** The exponent of the Zipf law of activity over actors and topics. */
  readonly zipfExponent: number;
  /** Valid time spans [from, to). */
  readonly from: string;
  readonly to: string;
  /** Per recorded development. */
  readonly lateFraction: number;
  readonly tieFraction: number;
  readonly correctionFraction: number;
  readonly retractionFraction: number;
  readonly verificationFraction: number;
  readonly positionFraction: number;
  readonly meetingFraction: number;
  readonly toneFraction: number;
  readonly topicStatusFraction: number;
  /** Corrections, verifications and retractions pick their target among this many latest developments. */
  readonly window: number;
}

export const DEFAULT_HISTORY: HistoryOptions = {
  developments: 1_000_000,
  seed: 1,
  actors: 2_000,
  topics: 300,
  meetings: 2_000,
  zipfExponent: 1.1,
  from: '2015-01-01T00:00:00.000Z',
  to: '2026-01-01T00:00:00.000Z',
  lateFraction: 0.05,
  tieFraction: 0.02,
  correctionFraction: 0.01,
  retractionFraction: 0.003,
  verificationFraction: 0.02,
  positionFraction: 0.2,
  meetingFraction: 0.03,
  toneFraction: 0.7,
  topicStatusFraction: 0.0005,
  window: 20_000,
};

export const historyOptions = (overrides: Partial<HistoryOptions> = {}): HistoryOptions => ({
  ...DEFAULT_HISTORY,
  ...overrides,
});
