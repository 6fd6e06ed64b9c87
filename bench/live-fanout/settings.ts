/** The live fan-out bench's fixed settings: what both runs share, and the limits that keep a run bounded. */

export const EDITOR_KEY = 'bench-editor-key-0123456789abcdef';
/** Measured developments' (and broadcasts') ids start with this, followed by their sequence number. */
export const MEASURED_PREFIX = 'bench-w-';
export const WARM_PREFIX = 'bench-warm-';
/** Writes in flight at once; past it the writer waits (each request times out, so the wait is bounded). */
export const MAX_IN_FLIGHT = 256;
export const REQUEST_TIMEOUT_MS = 30_000;
export const CONNECT_BATCH_TIMEOUT_MS = 30_000;
export const SERVER_READY_TIMEOUT_MS = 60_000;
export const DRAIN_IDLE_MS = 10_000;
export const DRAIN_MAX_MS = 180_000;
/** Drain, look at the log, drain again while it grew: requests that timed out at the writer may still be appended. */
export const DRAIN_ROUNDS = 3;
/** Above this much CPU (in cores) used by other processes during a measurement, its figures are flagged as noisy. */
export const NOISY_CORES = 0.2;

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes on this machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();
