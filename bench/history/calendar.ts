/** Instants as the generator handles them: milliseconds, precisions, ISO strings. */

export type Precision = 'INSTANT' | 'DAY' | 'MONTH' | 'YEAR';

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365.25 * DAY_MS;

export const iso = (ms: number): string => new Date(ms).toISOString();

/** The instant a precision points at: midnight, the first of the month, New Year (UTC). */
export const truncate = (ms: number, precision: Precision): number => {
  const date = new Date(ms);
  switch (precision) {
    case 'INSTANT':
      return Math.floor(ms / 60_000) * 60_000;
    case 'DAY':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    case 'MONTH':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    case 'YEAR':
      return Date.UTC(date.getUTCFullYear(), 0, 1);
  }
};
