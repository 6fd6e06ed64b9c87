import { expect } from 'vitest';
import type { CommandName } from '../../src/application/commands/index.js';
import { TimelineError, type ErrorCode, type FieldPath } from '../../src/application/errors.js';
import type { TimelineHarness } from './timeline-harness.js';

/** Runs a command that must be refused, checks that the log did not grow, and hands back the error. */
export const refusal = async (harness: TimelineHarness, name: CommandName, input: unknown): Promise<TimelineError> => {
  const before = await harness.logLength();
  let caught: unknown = undefined;
  try {
    await harness.run(name, input);
  } catch (error) {
    caught = error;
  }
  expect(await harness.logLength(), 'a refused write appends nothing').toBe(before);
  expect(caught, `${name} should have been refused`).toBeInstanceOf(TimelineError);
  return caught as TimelineError;
};

/** A refusal with exactly this code and this path. */
export const expectRefusal = async (
  harness: TimelineHarness,
  name: CommandName,
  input: unknown,
  code: ErrorCode,
  path: FieldPath | undefined,
): Promise<TimelineError> => {
  const error = await refusal(harness, name, input);
  expect({ code: error.code, path: error.path }, error.message).toEqual({ code, path });
  return error;
};
