import type { LogPosition } from '../../../events/envelope.js';
import { decodeRecord, encodeRecord } from '../record-codec.js';
import { pieceTable } from './piece-table.js';

/**
 * States as the Redis store keeps them: the record codec's JSON with its most frequent pieces (the codec's tags, the
 * keys of a development's state, which make up most of what the store holds) replaced by one control character each.
 * JSON never holds a raw control character (it escapes them), so any text goes back exactly, whatever it holds; a
 * development's state shrinks by about 40% (770 bytes to 420), for a few microseconds, where zlib would take tens per
 * state to write and to read. \x1e and \x1f are left out: they separate the versions of an entity's string.
 *
 * Dates are shorter still, and what a version repeats of itself goes (below). The table and the tokens are part of
 * the stored format: changing them means a new read-model version (READ_MODEL_VERSION).
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

const TABLE = pieceTable(PIECES);

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
 * A date as the codec writes it ({"$date":"<ISO 8601>"}, '{"$date":"' being \x03) is kept as \x00 and its epoch
 * milliseconds in base 36: 8 characters where the ISO text takes 24, and a development holds three dates (its
 * occurredAt, recordedAt, a source's publishedAt). What follows `"}` in JSON (",", "}", "]") is no base 36 digit, so
 * the number needs no end mark. Only a date whose ISO text comes back exactly is shortened. A plain string that is
 * an ISO date is kept the same way after \x00D: in JSON its closing quote is followed by ",", "}", "]" or ":", or by a
 * piece's token, never by a base 36 digit.
 */
// eslint-disable-next-line no-control-regex -- the tokens are control characters
const ISO_DATE = /\x03(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"\}/g;
const PLAIN_ISO_DATE = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"/g;
// eslint-disable-next-line no-control-regex -- the tokens are control characters
const SHORT_DATE = /\x00(-?[0-9a-z]+)/g;
// eslint-disable-next-line no-control-regex -- the tokens are control characters
const SHORT_PLAIN_DATE = /\x00D(-?[0-9a-z]+)/g;

const epochMs = (iso: string): number | null => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || new Date(ms).toISOString() !== iso ? null : ms;
};

const isoOf = (ms: string): string => new Date(parseInt(ms, 36)).toISOString();

const withSubstitute = (text: string, piece: string, token: string): string =>
  text.includes(piece) ? text.split(piece).join(token) : text;

export const encodeStateText = (state: unknown, header?: VersionHeader): string => {
  let text = withSubstitute(encodeRecord(state), FIRST_RECORDED_END, '\x00A');
  if (header) {
    text = withSubstitute(text, encodeRecord(header.position), '\x00C');
    text = withSubstitute(text, idField(header.id), '\x00E');
  }
  return TABLE.encode(text)
    .replace(ISO_DATE, (whole, iso: string) => {
      const ms = epochMs(iso);
      return ms === null ? whole : ms === header?.recordedAtMs ? '\x00B' : `\x00${ms.toString(36)}`;
    })
    .replace(PLAIN_ISO_DATE, (whole, iso: string) => {
      const ms = epochMs(iso);
      return ms === null ? whole : `\x00D${ms.toString(36)}`;
    });
};

export const decodeStateText = <T>(text: string, header?: VersionHeader): T => {
  let json = text.replace(SHORT_PLAIN_DATE, (_whole, ms: string) => `"${isoOf(ms)}"`);
  if (header) json = withSubstitute(json, '\x00B', `\x03${new Date(header.recordedAtMs).toISOString()}"}`);
  json = TABLE.decode(json.replace(SHORT_DATE, (_whole, ms: string) => `\x03${isoOf(ms)}"}`));
  if (header) {
    json = withSubstitute(json, '\x00C', encodeRecord(header.position));
    json = withSubstitute(json, '\x00E', idField(header.id));
  }
  return decodeRecord<T>(withSubstitute(json, '\x00A', FIRST_RECORDED_END));
};
