import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { CLOCK_TICKS, machineCpu, parseProcStat } from './proc.js';

/**
 * How much CPU processes other than the bench and its descendants (the servers) used meanwhile: the machine's
 * busy ticks (/proc/stat) minus ours (/proc/<pid>/stat of our process tree). On a shared machine this says how far
 * a phase's figures can be trusted.
 */

/** Busy ticks of the whole machine (all cores): user..steal minus idle and iowait. */
const machineBusyTicks = (): number => {
  const { total, idle } = machineCpu();
  return total - idle;
};

/** Every process's parent and CPU ticks so far (utime + stime). */
const processTable = (): Map<number, { ppid: number; ticks: number }> => {
  const table = new Map<number, { ppid: number; ticks: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      table.set(Number(name), parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
    } catch {
      // Gone meanwhile.
    }
  }
  return table;
};

interface Snapshot {
  readonly at: number;
  readonly busy: number;
  readonly ours: number;
}

export const createCpuWatch = () => {
  /** Last ticks seen per pid of ours, so that a child that ended keeps counting with what it had used. */
  const lastSeen = new Map<number, number>();
  let endedTicks = 0;
  const snapshot = (): Snapshot => {
    const table = processTable();
    const isOurs = (pid: number): boolean => {
      for (let current = pid, hops = 0; current > 1 && hops < 64; hops++) {
        if (current === process.pid) return true;
        current = table.get(current)?.ppid ?? 0;
      }
      return false;
    };
    const live = new Map<number, number>();
    for (const [pid, { ticks }] of table) if (isOurs(pid)) live.set(pid, ticks);
    for (const [pid, ticks] of lastSeen) {
      if (!live.has(pid)) {
        endedTicks += ticks;
        lastSeen.delete(pid);
      }
    }
    let ours = endedTicks;
    for (const [pid, ticks] of live) {
      lastSeen.set(pid, ticks);
      ours += ticks;
    }
    return { at: performance.now(), busy: machineBusyTicks(), ours };
  };
  const othersCores = (from: Snapshot, to: Snapshot): number => {
    const elapsed = Math.max(0.001, (to.at - from.at) / 1000);
    return Math.max(0, (to.busy - from.busy - (to.ours - from.ours)) / CLOCK_TICKS / elapsed);
  };
  let phases: { name: string; elapsedMs: number; othersCores: number }[] = [];
  return {
    /** Runs a phase and records its wall time and the cores others kept busy meanwhile. */
    phase: async <T>(name: string, body: () => Promise<T> | T): Promise<T> => {
      const start = snapshot();
      try {
        return await body();
      } finally {
        const end = snapshot();
        phases.push({ name, elapsedMs: end.at - start.at, othersCores: othersCores(start, end) });
      }
    },
    /** The phases recorded since the last call. */
    take: () => {
      const taken = phases;
      phases = [];
      return taken;
    },
  };
};

export type CpuWatch = ReturnType<typeof createCpuWatch>;
