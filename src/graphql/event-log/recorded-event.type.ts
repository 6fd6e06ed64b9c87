import { Field, Int, ObjectType } from 'type-graphql';
import { connectionType } from '../common/connection.type.js';
import { DateTime, JSONScalar } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true })
export class RecordedEvent {
  @Field(() => String, { description: 'Opaque, ordered; pass it as `after`.' })
  position!: string;

  @Field(() => String)
  streamId!: string;

  @Field(() => Int)
  revision!: number;

  @Field(() => String)
  type!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => JSONScalar)
  data!: unknown;

  @Field(() => DateTime)
  recordedAt!: Date;
}

export const RecordedEventConnection = connectionType(() => RecordedEvent, 'RecordedEvent', { totalCount: false });
