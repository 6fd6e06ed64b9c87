import type { z } from 'zod';
import { badInput, type FieldPath } from './errors.js';

/**
 * Parses a command's input with its schema. The first issue decides the error's path (rooted at `input`, as the
 * mutation argument is called); the message lists every issue so a client can fix them all in one go.
 */
export const validateInput = <S extends z.ZodType>(
  schema: S,
  input: unknown,
  root: FieldPath = ['input'],
): z.output<S> => {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [
      ...root,
      ...issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment)),
      // An unknown field is the offending field itself, not the object that holds it.
      ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
    ],
    message: issue.message,
  }));
  const first = issues[0]!;
  const message = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw badInput(message, first.path, { issues });
};
