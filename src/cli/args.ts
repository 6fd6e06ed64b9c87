import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs in strict mode (unknown options, missing values and stray arguments are refused), as usage errors. */
export const parseCommandArgs = <O extends Options>(command: string, args: readonly string[], options: O) => {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
};

/** The same, for a command that takes arguments too (files to import). */
export const parseCommandArgsAndFiles = <O extends Options>(command: string, args: readonly string[], options: O) => {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
};

/** The option's value, or a usage error naming it. */
export const required = (command: string, option: string, value: string | undefined): string => {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${option} is required`, command);
  return value;
};

// A day alone, or a day and a time (seconds and their fractions optional) with a zone that is required: Z or ±hh:mm.
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2})))?$/;
const ZONELESS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$/;

const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

const EXAMPLES = 'expected an ISO-8601 instant such as 2025-10-17T12:00:00Z, 2025-10-17T14:00:00+02:00 or 2025-10-17';

/**
 * An ISO-8601 instant: a date and time with Z or an offset, or a bare day meaning its start in UTC. Anything else is
 * a usage error that says what is wrong. Date.parse alone would take "2025-02-30" (as 2 March), "2025-10-17T12:00"
 * (in the zone of whoever runs the command) and "October 17" too.
 */
export const parseInstant = (command: string, option: string, raw: string): Date => {
  const refuse = (why: string): never => {
    throw new UsageError(`--${option} ${JSON.stringify(raw)} ${why}; ${EXAMPLES}`, command);
  };
  const text = raw.trim();
  const match = INSTANT.exec(text);
  if (!match) return refuse(ZONELESS.test(text) ? 'has no time zone (add Z or an offset)' : 'is not an ISO-8601 date');
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', , sign, offsetH, offsetM] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return refuse('is not a day of the calendar');
  if (h > 23 || mi > 59 || s > 59) return refuse('is not a time of day');
  const offsetMinutes = sign === undefined ? 0 : Number(offsetH) * 60 + Number(offsetM);
  if (offsetMinutes > 18 * 60 || Number(offsetM) > 59) return refuse('has an offset out of range');
  const milliseconds = Number(fraction.slice(0, 3).padEnd(3, '0'));
  const utc = new Date(Date.UTC(2000, 0, 1, h, mi, s, milliseconds));
  // Date.UTC would map the years 0-99 to 1900-1999; setUTCFullYear takes the year as written.
  utc.setUTCFullYear(y, mo - 1, d);
  return new Date(utc.getTime() - (sign === '-' ? -1 : 1) * offsetMinutes * 60_000);
};
