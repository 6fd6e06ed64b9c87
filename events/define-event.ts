import type { z } from 'zod';

/** One entry of the event catalog: what an event is called, which version its schema is, and what it carries. */
export interface EventDefinition<Type extends string = string, Schema extends z.ZodType = z.ZodType> {
  readonly type: Type;
  /** The current schema version; older versions are upcast on read (migrations/upcasters). */
  readonly version: number;
  /** The stream category the event lives in: `<category>-<entity id>`. */
  readonly category: 'actor' | 'topic' | 'development';
  readonly schema: Schema;
  readonly doc: string;
}

export const defineEvent = <Type extends string, Schema extends z.ZodType>(
  definition: EventDefinition<Type, Schema>,
): EventDefinition<Type, Schema> => Object.freeze(definition);
