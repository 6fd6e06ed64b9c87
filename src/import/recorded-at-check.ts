/**
 * The up-front check of an import that carries its source's transaction times (a restored dump, a backfill): before
 * anything is appended, its recordedAt must never go back, from the log's last one through every row, and never run
 * ahead of the clock. The store checks each append again (a writer may get in meanwhile); this check is what makes
 * an import whose times go back append nothing at all, and name the row.
 */

/** Where a row came from, and the recordedAt text it gave (absent: the row is recorded at the store's clock). */
export interface TimedRow {
  readonly source: string;
  readonly line: number;
  readonly recordedAt?: string;
  /** Set when the row was refused before any command: it writes nothing, so it has no time. */
  readonly reason?: string;
}

export class ImportRefusedError extends Error {
  constructor(message: string) {
    super(`${message}; nothing was imported`);
    this.name = 'ImportRefusedError';
  }
}

/** An ISO-8601 instant with Z or an offset: a time without a zone would be a guess. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

const parseRecordedAt = (text: string): Date | null => {
  if (!INSTANT.test(text)) return null;
  const time = new Date(text);
  // Date rolls a day that does not exist (February 30) over into the next month: refuse it instead.
  const day = new Date(`${text.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== text.slice(0, 10)) return null;
  return Number.isNaN(time.getTime()) ? null : time;
};

const where = (row: TimedRow) => `${row.source}:${row.line}`;

/** The recordedAt of each row (undefined: the store's clock), or ImportRefusedError naming the first bad row. */
export const checkRecordedAts = (rows: readonly TimedRow[], logLast: Date | null, now: Date): (Date | undefined)[] => {
  let previous: { readonly at: Date; readonly what: string } | null =
    logLast === null ? null : { at: logLast, what: `the log's last recordedAt ${logLast.toISOString()}` };
  let liveRow: TimedRow | null = null;
  return rows.map((row) => {
    if (row.reason !== undefined) return undefined;
    if (row.recordedAt === undefined) {
      liveRow ??= row;
      return undefined;
    }
    const at = parseRecordedAt(row.recordedAt);
    if (at === null) {
      throw new ImportRefusedError(
        `${where(row)}: recordedAt ${JSON.stringify(row.recordedAt)} is not an ISO-8601 instant with Z or an offset`,
      );
    }
    if (liveRow !== null) {
      throw new ImportRefusedError(
        `${where(row)}: recordedAt ${at.toISOString()} comes after ${where(liveRow)}, which has none and is ` +
          'recorded now: transaction time would go back',
      );
    }
    if (previous !== null && at < previous.at) {
      throw new ImportRefusedError(
        `${where(row)}: recordedAt ${at.toISOString()} is earlier than ${previous.what}: transaction time never ` +
          'goes back',
      );
    }
    if (at > now) {
      throw new ImportRefusedError(
        `${where(row)}: recordedAt ${at.toISOString()} is later than now (${now.toISOString()}): the log cannot ` +
          'know something before it happens',
      );
    }
    previous = { at, what: `${where(row)}'s recordedAt ${at.toISOString()}` };
    return at;
  });
};
