import { sleep } from '../support/waiting.js';
import { DRAIN_IDLE_MS, DRAIN_MAX_MS } from './settings.js';

/**
 * Every (subscriber, write) pair: how often it arrived and the first arrival's value (a time or a latency); and per
 * subscriber, whether arrivals kept their order (`order`: the log cursor, or the broadcast's sequence number).
 */
export class Deliveries {
  readonly counts: Uint8Array;
  readonly values: Float64Array;
  private readonly lastOrder: (string | number | undefined)[];
  unique = 0;
  received = 0;
  outOfOrder = 0;
  unexpected = 0;
  lastArrival = 0;

  constructor(
    readonly subscribers: number,
    readonly writes: number,
  ) {
    this.counts = new Uint8Array(subscribers * writes);
    this.values = new Float64Array(subscribers * writes);
    this.lastOrder = new Array<string | number | undefined>(subscribers).fill(undefined);
  }

  record(subscriber: number, seq: number, value: number, arrival: number, order: string | number): void {
    this.received += 1;
    this.lastArrival = arrival;
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.writes) {
      this.unexpected += 1;
      return;
    }
    const k = subscriber * this.writes + seq;
    const count = this.counts[k]!;
    if (count === 0) {
      this.values[k] = value;
      this.unique += 1;
    }
    if (count < 255) this.counts[k] = count + 1;
    const last = this.lastOrder[subscriber];
    if (last !== undefined && order < last) this.outOfOrder += 1;
    else this.lastOrder[subscriber] = order;
  }
}

export interface Check {
  readonly expected: number;
  readonly delivered: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Subscribers that missed at least one change. */
  readonly subscribersMissing: number;
}

/** Counts over the writes that counted (`valid`): missing pairs and extra copies. */
export const check = (deliveries: Deliveries, valid: (seq: number) => boolean): Check => {
  let expected = 0;
  let delivered = 0;
  let missing = 0;
  let duplicates = 0;
  let subscribersMissing = 0;
  for (let s = 0; s < deliveries.subscribers; s += 1) {
    let missed = false;
    for (let seq = 0; seq < deliveries.writes; seq += 1) {
      if (!valid(seq)) continue;
      expected += 1;
      const count = deliveries.counts[s * deliveries.writes + seq]!;
      if (count === 0) {
        missing += 1;
        missed = true;
      } else {
        delivered += 1;
        duplicates += count - 1;
      }
    }
    if (missed) subscribersMissing += 1;
  }
  return { expected, delivered, missing, duplicates, subscribersMissing };
};

/** Latencies of the first-arrival of every pair whose write counted, `from(seq)` being the write's reference time. */
export const latencies = (
  deliveries: Deliveries,
  from: (seq: number) => number,
  seqs?: [number, number],
): Float64Array => {
  const [first, end] = seqs ?? [0, deliveries.writes];
  const out: number[] = [];
  for (let s = 0; s < deliveries.subscribers; s += 1) {
    for (let seq = first; seq < end; seq += 1) {
      const k = s * deliveries.writes + seq;
      const reference = from(seq);
      if (deliveries.counts[k]! > 0 && !Number.isNaN(reference)) out.push(deliveries.values[k]! - reference);
    }
  }
  return Float64Array.from(out);
};

/** Waits for deliveries to stop coming: all expected, no progress for a while, or the hard cap. */
export const drain = async (deliveries: Deliveries, expectedUnique: number): Promise<void> => {
  const started = performance.now();
  let seen = deliveries.received;
  let lastProgress = started;
  while (deliveries.unique < expectedUnique) {
    const now = performance.now();
    if (now - lastProgress > DRAIN_IDLE_MS || now - started > DRAIN_MAX_MS) break;
    await sleep(50);
    if (deliveries.received !== seen) {
      seen = deliveries.received;
      lastProgress = performance.now();
    }
  }
  // A little longer, so that a duplicate sent right after the last change is still seen.
  await sleep(500);
};
