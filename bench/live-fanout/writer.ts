import { BenchVoid, voidBench } from '../support/lifecycle.js';
import { sleep, waitUntil } from '../support/waiting.js';
import { describe, firstFew } from './error-notes.js';
import { MAX_IN_FLIGHT, MEASURED_PREFIX, REQUEST_TIMEOUT_MS, wallNow } from './settings.js';
import { record } from './timeline-api.js';

/** The measured writes, at a steady rate (open loop), and the three moments the bench notes for each. */

export interface Writes {
  readonly count: number;
  /** Per sequence number, NaN where it never happened: just before sending, the response, the append stamp. */
  readonly sentAt: Float64Array;
  readonly answeredAt: Float64Array;
  readonly appendedAt: Float64Array;
  /** A few of the requests' failures (no answer: timeouts, refused connections). */
  readonly errors: string[];
  /** How often the writer waited for MAX_IN_FLIGHT writes to finish. */
  readonly waitedForInFlight: number;
  /** performance.now() at the first send's target time and at the last send. */
  readonly started: number;
  readonly lastSent: number;
}

/** Writes at absolute target times (a late one is followed by an early one); resolves once none is in flight. */
export const writeMeasured = async (url: string, count: number, rate: number): Promise<Writes> => {
  const sentAt = new Float64Array(count).fill(NaN);
  const answeredAt = new Float64Array(count).fill(NaN);
  const appendedAt = new Float64Array(count).fill(NaN);
  const errors: string[] = [];
  let inFlight = 0;
  let waitedForInFlight = 0;
  const interval = 1000 / rate;
  const started = performance.now();
  for (let seq = 0; seq < count; seq += 1) {
    await sleep(started + seq * interval - performance.now());
    if (inFlight >= MAX_IN_FLIGHT) {
      waitedForInFlight += 1;
      await waitUntil(() => inFlight < MAX_IN_FLIGHT, REQUEST_TIMEOUT_MS + 5_000, 2);
    }
    inFlight += 1;
    sentAt[seq] = wallNow();
    record(url, `${MEASURED_PREFIX}${seq}`, seq)
      .then(
        (recordedAt) => {
          answeredAt[seq] = wallNow();
          appendedAt[seq] = recordedAt;
        },
        (error: unknown) => {
          // An error answer voids the run; no answer (under load) is counted as overload by the caller.
          if (error instanceof BenchVoid) void voidBench(`a measured write: ${error.message}`);
          firstFew(errors, describe(error));
        },
      )
      .finally(() => (inFlight -= 1));
  }
  const lastSent = performance.now();
  await waitUntil(() => inFlight === 0, REQUEST_TIMEOUT_MS + 10_000);
  return { count, sentAt, answeredAt, appendedAt, errors, waitedForInFlight, started, lastSent };
};

/** The writes that got an answer. */
export const answered = (writes: Writes): number =>
  writes.answeredAt.reduce((n, t) => (Number.isNaN(t) ? n : n + 1), 0);
