import type { LogPosition } from '../../events/envelope.js';
import { alternationOf, tokenClassOf, tokensOf } from './piece-table.js';
import { decodeRecord, encodeRecord } from './record-codec.js';

/**
 * A version's state as both stores keep it (Redis' version strings, SQLite's versions table since its schema 11): the
 * record codec's JSON with its most frequent pieces (the codec's tags, the keys of a development's state, which make
 * up most of what a store holds) replaced by one control character each. JSON never holds a raw control character
 * (it escapes them), so any text goes back exactly, whatever it holds. \x1e and \x1f are left out: they separate the
 * versions of an entity's Redis string.
 *
 * Dates are shorter still, and what a version repeats of itself goes (below): a development's state goes from 729
 * characters to 298 on average at 100,000 developments, for about 15 us more to write and 10 more to read. The
 * table and the tokens are part of the stored format: changing them means a new read-model version
 * (READ_MODEL_VERSION) and a new schema of read-models.db (sqlite/schema.ts).
 */
const PIECES = [
  '{"commit":{"$bigint":"',
  '"},"prepare":{"$bigint":"',
  '{"$date":"',
  '"recordPosition":',
  '"participants":[{"actorId":"',
  '","role":"',
  '"},{"actorId":"',
  '"occurredAt":',
  '"recordedAt":',
  '"precision":"',
  '"summary":"',
  '"title":"',
  '{"kind":"',
  '"topicIds":[',
  '"quotes":[',
  '"sources":[{"publisher":"',
  '","url":"',
  '"positions":[',
  '"tone":',
  '"cameoCode":"',
  '"revision":',
  '"status":"',
  '"verifications":[',
  '"corrections":[',
  '"retracted":',
  '"location":"',
  '"meeting":{"id":"',
  '{"$map":[["',
  '"id":"',
] as const;

/**
 * Longer pieces, and what a version's state repeats of the version itself, as \x00 and a capital letter: \x00
 * followed by a base 36 digit or "-" is a date (below), so a capital is free, and decoding tells them apart by it.
 *
 * - A: the end of every development as first recorded (revision 0, no verification, correction or retraction): 87
 *   characters in nine of ten stored states.
 * - B, C: the version's own recordedAt and log position, which a development recorded in that event holds too (its
 *   recordedAt and recordPosition).
 * - E: the entity's id as its state's "id" field, which the version's key holds already.
 * - D: an ISO 8601 date kept as a plain string (a development's occurredAt), as B's dates are kept.
 *
 * At 100,000 developments they took a stored development from 376 characters to about 300 (docs/architecture.md,
 * "The port").
 */
const FIRST_RECORDED_END = ',"revision":0,"status":"REPORTED","verifications":[],"corrections":[],"retracted":false}';

/** What a version record says of itself, which its state may repeat. */
export interface VersionHeader {
  readonly id: string;
  readonly position: LogPosition;
  readonly recordedAtMs: number;
}

const idField = (id: string): string => `"id":${JSON.stringify(id)}`;

/**
 * A date as the codec writes it ({"$date":"<ISO 8601>"}) is kept as \x00 and its epoch milliseconds in base 36: 8
 * characters where the ISO text takes 24, and a development holds three dates (its occurredAt, recordedAt, a
 * source's publishedAt). What follows `"}` in JSON (",", "}", "]") is no base 36 digit, so the number needs no end
 * mark. Only a date whose ISO text comes back exactly is shortened. A plain string that is an ISO date is kept the
 * same way after \x00D: in JSON its closing quote is followed by ",", "}", "]" or ":", never by a base 36 digit.
 */
const ISO = '(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z)';

const epochMs = (iso: string): number | null => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || new Date(ms).toISOString() !== iso ? null : ms;
};

const isoOf = (ms: string): string => new Date(parseInt(ms, 36)).toISOString();

const withSubstitute = (text: string, piece: string, token: string): string =>
  text.includes(piece) ? text.split(piece).join(token) : text;

/**
 * Dates and pieces in one pass over the JSON, as every version written pays it: with a pass for each (the pieces, then
 * the dates among their tokens) a development's state text took 28 us to write against the codec's JSON's 9; in one,
 * 24. At one place the longer alternative wins: a date object before the piece that opens one, pieces longest first.
 */
const DATE_OR_PIECE = new RegExp([`\\{"\\$date":"${ISO}"\\}`, `"${ISO}"`, alternationOf(PIECES)].join('|'), 'g');
const TOKEN_OF = tokensOf(PIECES);
const DATE_OPENING = TOKEN_OF.get('{"$date":"')!;

export const encodeStateText = (state: unknown, header?: VersionHeader): string => {
  let text = withSubstitute(encodeRecord(state), FIRST_RECORDED_END, '\x00A');
  if (header) {
    text = withSubstitute(text, encodeRecord(header.position), '\x00C');
    text = withSubstitute(text, idField(header.id), '\x00E');
  }
  return text.replace(DATE_OR_PIECE, (found, date?: string, plainDate?: string) => {
    if (date !== undefined) {
      const ms = epochMs(date);
      if (ms === null) return `${DATE_OPENING}${date}"}`;
      return ms === header?.recordedAtMs ? '\x00B' : `\x00${ms.toString(36)}`;
    }
    if (plainDate !== undefined) {
      const ms = epochMs(plainDate);
      return ms === null ? found : `\x00D${ms.toString(36)}`;
    }
    return TOKEN_OF.get(found)!;
  });
};

/**
 * Every token at once: \x00 and a capital (a piece of the version itself), \x00D and a date kept as a plain string,
 * \x00 and a date, or a piece of the table. Each expands to plain JSON that holds no token (JSON escapes control
 * characters), so one pass gives the record codec's text back. A development's state text reads in about 16-20 us
 * against 8-10 for the codec's JSON alone, the expression's callbacks most of the difference; a store decodes one on
 * every read of a version that misses the cache.
 */
const ANY_TOKEN = new RegExp(`\\x00(?:D(-?[0-9a-z]+)|([ABCE])|(-?[0-9a-z]+))|${tokenClassOf(PIECES)}`, 'g');
const dateJson = (iso: string): string => `{"$date":"${iso}"}`;

export const decodeStateText = <T>(text: string, header?: VersionHeader): T => {
  const json = text.replace(ANY_TOKEN, (token, plainDate?: string, own?: string, date?: string) => {
    if (plainDate !== undefined) return `"${isoOf(plainDate)}"`;
    if (date !== undefined) return dateJson(isoOf(date));
    switch (own) {
      case undefined:
        return PIECES[token.charCodeAt(0) - 1]!;
      case 'A':
        return FIRST_RECORDED_END;
      default:
        if (!header) throw new Error(`a state text holds \\x00${own} but no version header was given to decode it`);
        if (own === 'B') return dateJson(new Date(header.recordedAtMs).toISOString());
        return own === 'C' ? encodeRecord(header.position) : idField(header.id);
    }
  });
  return decodeRecord<T>(json);
};
