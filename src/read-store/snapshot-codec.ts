import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { decodeRecord, encodeRecord } from './record-codec.js';

/**
 * How the stores keep a snapshot's state: its record text, compressed. A busy actor's snapshot repeats the same ids,
 * places and positions across thousands of keys, and the projector writes one every few hundred of its entries, so
 * snapshots were half of what the read models took (as RocksDB under XTDB, the store compresses what it keeps).
 * Brotli at quality 4 took 100 000 developments' snapshots to about a quarter, and gives them back several times
 * faster than JSON.parse reads the text: a question pays for it only when its snapshot is not in the cache.
 */
const QUALITY = 4;

export const encodeSnapshotState = (state: unknown): Buffer =>
  brotliCompressSync(encodeRecord(state), {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
  });

export const decodeSnapshotState = (stored: Uint8Array): unknown =>
  decodeRecord(brotliDecompressSync(stored).toString('utf8'));
