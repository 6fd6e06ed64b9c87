import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Development } from '../development/development.type.js';

export const ChangeKind = {
  RECORDED: 'RECORDED',
  CORRECTED: 'CORRECTED',
  VERIFIED: 'VERIFIED',
  RETRACTED: 'RETRACTED',
};
export const StreamPhase = { REPLAY: 'REPLAY', LIVE: 'LIVE' };
registerEnumType(ChangeKind, { name: 'ChangeKind' });
registerEnumType(StreamPhase, { name: 'StreamPhase' });

@ObjectType({ simpleResolvers: true })
export class TimelineChange {
  @Field(() => String, {
    description: 'Log position of this change; resubscribe with after: cursor to resume with no gap and no duplicate.',
  })
  cursor!: string;

  @Field(() => StreamPhase)
  phase!: keyof typeof StreamPhase;

  @Field(() => ChangeKind)
  change!: keyof typeof ChangeKind;

  @Field(() => Development)
  development!: Development;
}
