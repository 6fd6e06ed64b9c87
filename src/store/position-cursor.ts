import type { LogPosition } from '../../events/envelope.js';

/**
 * Log positions as opaque cursors for clients: fixed-width hex, so that comparing two cursors as strings gives the
 * order of the log, and a cursor survives any transport that carries text.
 */

const HEX_DIGITS = 16;
const LIMIT = 1n << 64n;
const CURSOR = /^[0-9a-f]{32}$/;

const hex = (value: bigint, name: string): string => {
  if (value < 0n || value >= LIMIT) throw new RangeError(`a log position's ${name} must fit in 64 bits: ${value}`);
  return value.toString(16).padStart(HEX_DIGITS, '0');
};

export const encodePosition = (position: LogPosition): string =>
  hex(position.commit, 'commit') + hex(position.prepare, 'prepare');

/** Null for anything that encodePosition could not have produced: cursors come from clients. */
export const decodePosition = (cursor: string): LogPosition | null => {
  if (!CURSOR.test(cursor)) return null;
  return {
    commit: BigInt(`0x${cursor.slice(0, HEX_DIGITS)}`),
    prepare: BigInt(`0x${cursor.slice(HEX_DIGITS)}`),
  };
};
