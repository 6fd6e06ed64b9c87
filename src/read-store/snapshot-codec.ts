import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { decodeRecord, encodeRecord } from './record-codec.js';

/**
 * How the stores keep a snapshot's state: its record text, compressed. A busy actor's snapshot repeats the same ids,
 * places and positions across thousands of keys, and the projector writes one every few hundred of its entries, so
 * snapshots were half of what the read models took (as RocksDB under XTDB, the store compresses what it keeps).
 * Brotli takes 100 000 developments' snapshots (64 MB of text) to under a third. Giving them back costs about as
 * much as the JSON.parse that follows, or more (at 1M developments, 0.5 to 1.5 ms for a busy actor's): the cache
 * keeps the text (`snapshotTextOf`), and a question pays for it only when that is not there. Quality 1 rather
 * than 4: those 963 snapshots compressed in 0.43 s against 1.9-2.3 s (a tenth of a rebuild) and decompressed in
 * 0.35 s against 0.8-1.1, for 19.7 MB kept against 17.9; quality 2 and 3 cost twice to four times as much for 18.2-18.4.
 */
const QUALITY = 1;

export const encodeSnapshotState = (state: unknown): Buffer =>
  brotliCompressSync(encodeRecord(state), {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  });

/** The record text of a stored state: what a cache keeps (one string, which the collector neither copies nor walks). */
export const snapshotTextOf = (stored: Uint8Array): string => brotliDecompressSync(stored).toString('utf8');

/** `snapshotState` of a store, from its `snapshotText`. */
export const stateFromText =
  <M>(snapshotText: (meta: M) => Promise<string | undefined>) =>
  async (meta: M): Promise<unknown> => {
    const text = await snapshotText(meta);
    return text === undefined ? undefined : decodeRecord(text);
  };
