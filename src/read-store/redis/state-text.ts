import { decodeRecord, encodeRecord } from '../record-codec.js';
import { pieceTable } from './piece-table.js';

/**
 * States as the Redis store keeps them: the record codec's JSON with its most frequent pieces (the codec's tags, the
 * keys of a development's state, which make up most of what the store holds) replaced by one control character each.
 * JSON never holds a raw control character (it escapes them), so any text goes back exactly, whatever it holds; a
 * development's state shrinks by about 40% (770 bytes to 420), for a few microseconds, where zlib would take tens per
 * state to write and to read. \x1e and \x1f are left out: they separate the versions of an entity's string.
 *
 * Dates are shorter still (ISO_DATE below). The table is part of the stored format: changing it means a new read-model version (READ_MODEL_VERSION).
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
 * A date as the codec writes it ({"$date":"<ISO 8601>"}, '{"$date":"' being \x03) is kept as \x00 and its epoch
 * milliseconds in base 36: 8 characters where the ISO text takes 24, and a development holds three dates (its
 * occurredAt, recordedAt, a source's publishedAt). What follows `"}` in JSON (",", "}", "]") is no base 36 digit, so
 * the number needs no end mark. Only a date whose ISO text comes back exactly is shortened.
 */
// eslint-disable-next-line no-control-regex -- the tokens are control characters
const ISO_DATE = /\x03(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"\}/g;
// eslint-disable-next-line no-control-regex -- the tokens are control characters
const SHORT_DATE = /\x00(-?[0-9a-z]+)/g;

const shortDate = (whole: string, iso: string): string => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) || new Date(ms).toISOString() !== iso ? whole : `\x00${ms.toString(36)}`;
};

const isoDate = (_whole: string, ms: string): string => `\x03${new Date(parseInt(ms, 36)).toISOString()}"}`;

export const encodeStateText = (state: unknown): string =>
  TABLE.encode(encodeRecord(state)).replace(ISO_DATE, shortDate);

export const decodeStateText = <T>(text: string): T => decodeRecord<T>(TABLE.decode(text.replace(SHORT_DATE, isoDate)));
