import type { z } from 'zod';

/**
 * A mutation's input class as its command's schema accepts it. type-graphql builds the GraphQL input from a decorated
 * class and the command validates with a zod schema; neither library derives one from the other, so each class
 * implements this: a field the (strict) schema would refuse, or of a type it does not take, fails to compile.
 */
export type AcceptedBy<Schema extends z.ZodType, Class> = z.input<Schema> & {
  readonly [Field in Exclude<keyof Class, keyof z.input<Schema>>]: never;
};
