/** Option parsing for the benches: plain checks that name the option and what it got. */

import { parseArgs } from 'node:util';

export const integerOption = (
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!/^\d[\d_]*$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

export const numberOption = (
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
};

/** A comma-separated list of whole numbers ("100000,1000000", "1_000_000"), each from min to max. */
export const integerListOption = (
  raw: string | undefined,
  name: string,
  fallback: readonly number[],
  min: number,
  max: number,
): number[] => {
  if (raw === undefined) return [...fallback];
  const parts = raw.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.some((part) => part === '')) {
    throw new Error(`--${name} must be a comma-separated list of whole numbers, got ${JSON.stringify(raw)}`);
  }
  return parts.map((part) => integerOption(part, name, 0, min, max));
};

export const choiceOption = <T extends string>(
  raw: string | undefined,
  name: string,
  choices: readonly T[],
  fallback: T,
): T => {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new Error(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  }
  return raw as T;
};

type OptionTable = Record<string, { readonly type: 'string' | 'boolean'; readonly default?: string | boolean }>;

/**
 * A bench's command line, strictly (an unknown option is an error): `--help` (-h) prints `usage` and exits, anything
 * else is the values by name, to be checked by the functions above.
 */
export const parseBenchArgs = <const T extends OptionTable>(
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'] => {
  const { values } = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
  if ((values as { help?: boolean }).help === true) {
    console.log(usage);
    process.exit(0);
  }
  return values as ReturnType<typeof parseArgs<{ options: T; strict: true }>>['values'];
};

/** A bench's options, or its usage and exit code 2 when the command line is wrong: a message, not a stack trace. */
export const optionsOrExit = <T>(read: () => T, usage: string): T => {
  try {
    return read();
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
};
