import { randomUUID } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';

/**
 * Leadership of the projector by a lease in Redis: one holder at a time, with a time to live that the holder keeps
 * renewing, so that when it dies another takes over within the TTL. Every term gets a fencing token, one more than
 * any term before; a write that must come from the leader only (a checkpoint) goes through `fencedTransaction`,
 * which Redis aborts unless the lease is still this holder's term: a paused or partitioned old leader cannot write
 * over the new one's work, even if it does not know yet that it lost.
 */
export interface LeaderLease {
  /** The fencing token of the term this process holds, null while it does not lead. */
  readonly token: number | null;
  /** Resolves once the first attempt to take the lease has been answered (or failed): `token` says who won. */
  firstCheck(): Promise<void>;
  /** Resolves with the token once this process leads (at once if it does). */
  acquired(): Promise<number>;
  /**
   * Runs the commands `fill` queues as one MULTI/EXEC on `connection` (a connection of its own: WATCH is per
   * connection), only while this term holds the lease: false, and nothing written, when it does not. The lease key
   * is WATCHed, so a takeover (or an expiry) between the check and EXEC aborts the transaction.
   */
  fencedTransaction(connection: Redis, fill: (multi: ChainableCommander) => void): Promise<boolean>;
  /** Stops renewing and hands the lease back, so that another process can take it at once. */
  release(): Promise<void>;
  /** Stops renewing without handing back: what a crash looks like to the others (for tests and shutdown paths). */
  abandon(): void;
}

export interface LeaderLeaseOptions {
  /** The lease's key prefix: `<key>:holder` holds the term, `<key>:term` counts the terms. */
  readonly key: string;
  readonly ttlMs: number;
  /** How often the holder renews and a follower tries to take over; well under the TTL. */
  readonly checkEveryMs?: number;
  /** Told when this process loses a lease it held (expired while it was away, or taken). */
  readonly onLost?: (token: number) => void;
}

// Takes the lease if nobody holds it, as a new term: returns the term's token, or 0 when someone holds it.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token`;

// Extends the lease if it still holds this term: 1, else 0.
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// Hands the lease back if it still holds this term.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

export const startLeaderLease = (
  redis: Redis,
  { key, ttlMs, checkEveryMs = Math.max(10, Math.floor(ttlMs / 3)), onLost }: LeaderLeaseOptions,
): LeaderLease => {
  const holderKey = `${key}:holder`;
  const termKey = `${key}:term`;
  const holderId = randomUUID();
  let token: number | null = null;
  let stopped = false;
  let waiters: ((token: number) => void)[] = [];

  const term = () => `${holderId}:${token}`;

  const check = async (): Promise<void> => {
    if (token === null) {
      const acquired = Number(await redis.eval(ACQUIRE, 2, holderKey, termKey, holderId, ttlMs));
      if (acquired === 0 || stopped) return;
      token = acquired;
      for (const resolve of waiters) resolve(acquired);
      waiters = [];
      return;
    }
    const renewed = Number(await redis.eval(RENEW, 1, holderKey, term(), ttlMs));
    if (renewed === 0 && token !== null) {
      const lost = token;
      token = null;
      onLost?.(lost);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let firstChecked: () => void = () => undefined;
  const firstCheck = new Promise<void>((resolve) => (firstChecked = resolve));
  const loop = () => {
    if (stopped) return;
    // A Redis that is away only delays the next check; the lease expires on its own if this holder cannot renew.
    check()
      .catch(() => undefined)
      .finally(() => {
        firstChecked();
        if (!stopped) timer = setTimeout(loop, checkEveryMs);
      });
  };
  loop();

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };

  return {
    get token() {
      return token;
    },
    firstCheck: () => firstCheck,
    acquired: () => (token !== null ? Promise.resolve(token) : new Promise<number>((resolve) => waiters.push(resolve))),
    fencedTransaction: async (connection, fill) => {
      // Our own renewal touches the watched key too and aborts EXEC: look again, as long as the term is ours.
      for (let attempt = 0; attempt < 20; attempt++) {
        if (token === null) return false;
        const expected = term();
        await connection.watch(holderKey);
        if ((await connection.get(holderKey)) !== expected) {
          await connection.unwatch();
          return false;
        }
        const multi = connection.multi();
        fill(multi);
        const results = await multi.exec();
        if (results === null) continue;
        const failed = results.find(([error]) => error !== null);
        if (failed) throw failed[0]!;
        return true;
      }
      throw new Error('the fenced transaction was interrupted 20 times in a row');
    },
    release: async () => {
      stop();
      if (token !== null) await redis.eval(RELEASE, 1, holderKey, term());
      token = null;
    },
    abandon: stop,
  };
};
