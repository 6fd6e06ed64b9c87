import type { LogPosition } from '../../../events/envelope.js';
import type { IndexEntry, ReadModelCheckpoint, SnapshotMeta, StoredVersion } from '../read-model-store.js';
import { pieceTable } from '../piece-table.js';
import { decodeStateText, encodeStateText } from '../state-text.js';

/**
 * How the Redis store writes its records: short, and readable by the Lua scripts (scripts/), which compare
 * positions as strings and parse numbers themselves.
 *
 * A log position is written as its commit, one length character ('0'..'9', 'a'..'g': 0 to 16) followed by that many
 * hex digits without leading zeros, then its prepare: "." when it is the commit (always, in the embedded log), else
 * "-" (below the commit) or "/" (above it) followed by the prepare written as the commit is. Comparing two encodings
 * byte by byte gives the order of the log (a longer number has a greater length character; equal lengths compare
 * digit by digit; "-" < "." < "/" orders the prepares of one commit), like the 32 fixed hex digits of
 * encodePosition, in 7 characters rather than 32 for a position under 2^24: index members stay under the 64 bytes up
 * to which Redis keeps a small sorted set packed in one allocation (a page of an index, scripts/lua-helpers.ts).
 */

const LENGTHS = '0123456789abcdefg';
const LIMIT = 1n << 64n;

const part = (value: bigint, name: string): string => {
  if (value < 0n || value >= LIMIT) throw new RangeError(`a log position's ${name} must fit in 64 bits: ${value}`);
  const hex = value === 0n ? '' : value.toString(16);
  return LENGTHS[hex.length]! + hex;
};

const SAME = '.';
const BELOW = '-';
const ABOVE = '/';

export const encodePositionKey = ({ commit, prepare }: LogPosition): string => {
  const written = part(commit, 'commit');
  if (prepare === commit) return written + SAME;
  return written + (prepare < commit ? BELOW : ABOVE) + part(prepare, 'prepare');
};

const noPosition = (text: string, at: number) => new Error(`no log position at ${at} of ${JSON.stringify(text)}`);

/** Where the commit's digits end, where the prepare's are (null when it is the commit), and where the position ends. */
const positionParts = (text: string, at: number) => {
  const commitLength = LENGTHS.indexOf(text[at] ?? '');
  const commitEnd = at + 1 + commitLength;
  const marker = text[commitEnd];
  if (commitLength < 0 || marker === undefined) throw noPosition(text, at);
  if (marker === SAME) return { commitEnd, prepare: null, end: commitEnd + 1 };
  const prepareLength = LENGTHS.indexOf(text[commitEnd + 1] ?? '');
  if ((marker !== BELOW && marker !== ABOVE) || prepareLength < 0) throw noPosition(text, at);
  const prepare = { from: commitEnd + 2, to: commitEnd + 2 + prepareLength };
  return { commitEnd, prepare, end: prepare.to };
};

/** The length of the position encoded at `at` in `text`. */
const positionKeyLength = (text: string, at = 0): number => positionParts(text, at).end - at;

export const decodePositionKey = (text: string, at = 0): LogPosition => {
  const { commitEnd, prepare } = positionParts(text, at);
  const hex = (from: number, to: number) => (to === from ? 0n : BigInt(`0x${text.slice(from, to)}`));
  const commit = hex(at + 1, commitEnd);
  return { commit, prepare: prepare ? hex(prepare.from, prepare.to) : commit };
};

/** Numbers in base 36 when they are safe integers (epoch milliseconds: 8 characters), else "~" and their decimal. */
const encodeNumber = (value: number): string =>
  Number.isSafeInteger(value) ? value.toString(36) : `~${String(value)}`;

const decodeNumber = (text: string): number => (text.startsWith('~') ? Number(text.slice(1)) : parseInt(text, 36));

/** A number as Redis and Lua parse it (a score bound, an ARGV), infinities included. */
export const scoreText = (value: number): string =>
  value === Infinity ? '+inf' : value === -Infinity ? '-inf' : String(value);

/** A score as Redis writes it back. */
const parseScore = (text: string): number =>
  text === 'inf' || text === '+inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);

// ---------------------------------------------------------------- index members

/**
 * Frequent pieces of the shares the time-travel engine keeps in actor entries (time-travel/actor-share.ts: JSON
 * arrays, mostly "no occurredAt, no meeting, no stance, a tone and a counterpart"), one character each: a share of
 * 27 bytes takes 9, and an actor's members stay under the 64 bytes of a packed page. A share is opaque here: one that
 * holds a control character of its own is kept as it is, after \x00. Part of the stored format (READ_MODEL_VERSION).
 */
const SHARES = pieceTable([
  '[0,0,0,[',
  '[0,0,0,[null',
  '[0,0,[["',
  '[0,"',
  ',"actor-',
  '"]]',
  '","',
  ',null]],[',
  '"],["',
  '","NEUTRAL",',
  '","CONDITIONAL",',
  '","UNDECIDED",',
  '","SUPPORTS",',
  '","OPPOSES",',
  'topic-',
  'meeting-',
]);
const RAW_SHARE = '\x00';

// eslint-disable-next-line no-control-regex -- what a piece table cannot give back
const encodeShare = (share: string): string => (/[\x00-\x1f]/.test(share) ? RAW_SHARE + share : SHARES.encode(share));

const decodeShare = (text: string): string => (text.startsWith(RAW_SHARE) ? text.slice(1) : SHARES.decode(text));

/**
 * earliestAddedFromMs as its member keeps it: empty when it is addedAtMs; else addedAtMs minus it in base 36 (a
 * projection adds entries in bursts, so that is a few characters where the instant takes 8); else (an instant that
 * is no safe integer) "~" and its decimal.
 */
const encodeEarliest = ({ addedAtMs, earliestAddedFromMs }: IndexEntry): string => {
  if (earliestAddedFromMs === addedAtMs) return '';
  const before = addedAtMs - earliestAddedFromMs;
  return Number.isSafeInteger(addedAtMs) && Number.isSafeInteger(earliestAddedFromMs) && before > 0
    ? before.toString(36)
    : `~${String(earliestAddedFromMs)}`;
};

const decodeEarliest = (text: string, addedAtMs: number): number => {
  if (text === '') return addedAtMs;
  return text.startsWith('~') ? Number(text.slice(1)) : addedAtMs - parseInt(text, 36);
};

/**
 * An index entry's member (its score is occurredAtMs): recordPosition, then addedPosition ("=" when it is the same
 * position), addedAtMs, ",", earliestAddedFromMs (encodeEarliest), ",", developmentId, and "|" and the share
 * (encodeShare) where the entry has one. Within one score, members sort by recordPosition: the order of the set is
 * world order, and the world index's place (occurredAt, recordPosition) is the score and the member's first part.
 */
export const encodeIndexMember = (entry: IndexEntry): string => {
  const record = encodePositionKey(entry.recordPosition);
  const added = encodePositionKey(entry.addedPosition);
  const share = entry.share === undefined ? '' : `|${encodeShare(entry.share)}`;
  return `${record}${added === record ? '=' : added}${encodeNumber(entry.addedAtMs)},${encodeEarliest(entry)},${entry.developmentId}${share}`;
};

export const decodeIndexMember = (member: string, score: string): IndexEntry => {
  const recordLength = positionKeyLength(member);
  const recordPosition = decodePositionKey(member);
  let at = recordLength;
  let addedPosition = recordPosition;
  if (member[at] === '=') at += 1;
  else {
    addedPosition = decodePositionKey(member, at);
    at += positionKeyLength(member, at);
  }
  const firstComma = member.indexOf(',', at);
  const secondComma = member.indexOf(',', firstComma + 1);
  if (firstComma < 0 || secondComma < 0) throw new Error(`not an index member: ${JSON.stringify(member)}`);
  const addedAtMs = decodeNumber(member.slice(at, firstComma));
  // Ids are slugs, without "|": the first one after them starts the share, whatever the share holds.
  const bar = member.indexOf('|', secondComma + 1);
  const developmentId = member.slice(secondComma + 1, bar < 0 ? undefined : bar);
  const occurredAtMs = parseScore(score);
  const earliestAddedFromMs = decodeEarliest(member.slice(firstComma + 1, secondComma), addedAtMs);
  // Always there, undefined where there is none: one shape for every entry, and no spread to add it.
  const share = bar < 0 ? undefined : decodeShare(member.slice(bar + 1));
  return { developmentId, occurredAtMs, recordPosition, addedAtMs, addedPosition, earliestAddedFromMs, share };
};

// ---------------------------------------------------------------- versions

/**
 * An entity's versions are one string, each version "\x1e<position>\x1f<recordedAtMs>\x1f<state>" in log order:
 * one key per entity, no per-field overhead. A state (state-text.ts) never holds \x1e or \x1f, nor what the record
 * and its key say already (the id, the position, the recordedAt).
 */
export const encodeVersionRecord = (id: string, version: StoredVersion): string => {
  const { position, recordedAtMs, state } = version;
  const text = encodeStateText(state, { id, position, recordedAtMs });
  return `\x1e${encodePositionKey(position)}\x1f${encodeNumber(recordedAtMs)}\x1f${text}`;
};

/** The versions a string holds, up to and including `through` (the checkpoint). */
export const decodeVersionRecords = (id: string, text: string, through: string): StoredVersion[] => {
  const versions: StoredVersion[] = [];
  for (const record of text.split('\x1e')) {
    if (record === '') continue;
    const first = record.indexOf('\x1f');
    const second = record.indexOf('\x1f', first + 1);
    const position = record.slice(0, first);
    if (position > through) break;
    const header = {
      id,
      position: decodePositionKey(position),
      recordedAtMs: decodeNumber(record.slice(first + 1, second)),
    };
    const state = decodeStateText(record.slice(second + 1), header);
    versions.push({ position: header.position, recordedAtMs: header.recordedAtMs, state });
  }
  return versions;
};

// ---------------------------------------------------------------- snapshots

/** A snapshot's name within its actor: boundary occurredAt, boundary recordPosition, builtPosition. */
export const snapshotField = (meta: SnapshotMeta): string =>
  `${encodeNumber(meta.boundary.occurredAtMs)},${encodePositionKey(meta.boundary.recordPosition)}${encodePositionKey(meta.builtPosition)}`;

/**
 * A snapshot meta: "<boundary score>|<builtPosition>|<builtAtMs>|<boundary member>", the boundary as an index keeps
 * it. The member goes last: its developmentId may hold "|".
 */
export const encodeSnapshotMeta = (meta: SnapshotMeta): string =>
  [
    scoreText(meta.boundary.occurredAtMs),
    encodePositionKey(meta.builtPosition),
    encodeNumber(meta.builtAtMs),
    encodeIndexMember(meta.boundary),
  ].join('|');

export const decodeSnapshotMeta = (actorId: string, text: string): { meta: SnapshotMeta; built: string } => {
  const parts = text.split('|');
  const [occurredAt, built, builtAt] = parts as [string, string, string];
  return {
    built,
    meta: {
      actorId,
      boundary: decodeIndexMember(parts.slice(3).join('|'), occurredAt),
      builtAtMs: decodeNumber(builtAt),
      builtPosition: decodePositionKey(built),
    },
  };
};

// ---------------------------------------------------------------- checkpoint

export const encodeCheckpoint = (checkpoint: ReadModelCheckpoint): string =>
  `${encodePositionKey(checkpoint.position)}|${String(checkpoint.recordedAtMs)}`;

/** The position part of a stored checkpoint, as the scripts compare it. */
export const checkpointPositionKey = (text: string): string => text.slice(0, text.indexOf('|'));

export const decodeCheckpoint = (text: string): ReadModelCheckpoint => {
  const bar = text.indexOf('|');
  return { position: decodePositionKey(text.slice(0, bar)), recordedAtMs: Number(text.slice(bar + 1)) };
};
