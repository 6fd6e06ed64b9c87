import { BenchVoid } from '../support/lifecycle.js';
import { sleep } from '../support/waiting.js';
import { drain, type Deliveries } from './deliveries.js';
import { describe, firstFew } from './error-notes.js';
import { DRAIN_ROUNDS } from './settings.js';
import { appendedInLog } from './timeline-api.js';
import type { Writes } from './writer.js';

export interface SettledLog {
  /** The measured writes the log holds: sequence number -> recordedAt (ms). */
  readonly log: Map<number, number>;
  /** False when the log could not be read: the acknowledged writes stand in for it. */
  readonly read: boolean;
}

/** Reads the log, retrying a few times while the server is too busy to answer; null if it never did. */
const readLog = async (url: string, writes: Writes): Promise<Map<number, number> | null> => {
  for (let attempt = 0; attempt < 4; attempt += 1) {
    const log = await appendedInLog(url, writes.count).catch((error: unknown) => {
      if (error instanceof BenchVoid) throw error;
      firstFew(writes.errors, `reading the log: ${describe(error)}`);
      return null;
    });
    if (log !== null) return log;
    await sleep(2_000);
  }
  return null;
};

/**
 * Waits for the deliveries and decides what every subscriber must get. The log decides, not the writer: a write
 * whose request timed out may have been appended anyway, and the server may still be working through such
 * requests; so look until the log stops growing.
 */
export const settleLog = async (
  url: string,
  writes: Writes,
  deliveries: Deliveries,
  subscribers: number,
): Promise<SettledLog> => {
  const acknowledged = new Map<number, number>();
  for (let seq = 0; seq < writes.count; seq += 1) {
    if (!Number.isNaN(writes.appendedAt[seq]!)) acknowledged.set(seq, writes.appendedAt[seq]!);
  }
  let log = acknowledged;
  let read = false;
  for (let round = 0; round < DRAIN_ROUNDS; round += 1) {
    await drain(deliveries, subscribers * log.size);
    const again = await readLog(url, writes);
    if (again === null) break;
    const stable = read && again.size === log.size;
    log = again;
    read = true;
    if (stable) break;
  }
  return { log, read };
};
