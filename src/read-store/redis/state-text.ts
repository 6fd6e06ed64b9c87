import { decodeRecord, encodeRecord } from '../record-codec.js';

/**
 * States as the Redis store keeps them: the record codec's JSON with its most frequent pieces (the codec's tags, the
 * keys of a development's state, which make up most of what the store holds) replaced by one control character each.
 * JSON never holds a raw control character (it escapes them), so any text goes back exactly, whatever it holds; a
 * development's state shrinks by about 40% (770 bytes to 420), for a few microseconds, where zlib would take tens per
 * state to write and to read. \x1e and \x1f are left out: they separate the versions of an entity's string.
 *
 * The table is part of the stored format: changing it means a new read-model version (READ_MODEL_VERSION).
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

// Tokens \x01 to \x1d, one per piece.
const TOKEN_OF = new Map<string, string>(PIECES.map((piece, at) => [piece, String.fromCharCode(at + 1)]));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Longest first, so that a piece that starts another is tried after it.
const PIECE = new RegExp(
  [...PIECES]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|'),
  'g',
);
// eslint-disable-next-line no-control-regex -- the tokens are control characters
const TOKEN = /[\x01-\x1d]/g;

export const encodeStateText = (state: unknown): string =>
  encodeRecord(state).replace(PIECE, (piece) => TOKEN_OF.get(piece)!);

export const decodeStateText = <T>(text: string): T =>
  decodeRecord<T>(text.replace(TOKEN, (token) => PIECES[token.charCodeAt(0) - 1]!));
