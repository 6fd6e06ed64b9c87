import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** What Linux's /proc says about a process's memory and CPU time, and about the whole machine's CPU. */

/** A process's resident memory now (VmRSS) and at its peak (VmHWM), in bytes, from /proc/<pid>/status (Linux). */
export interface Resident {
  readonly rss: number;
  readonly peak: number;
}

export const residentOf = (pid: number): Resident => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match) throw new Error(`/proc/${pid}/status has no ${field} line`);
    return Number(match[1]) * 1024;
  };
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
};

/** Clock ticks per second (USER_HZ), which /proc reports CPU time in: 100 on every usual Linux. */
export const CLOCK_TICKS = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5_000 }).trim());
    return ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

/** A /proc/<pid>/stat line's parent pid and CPU ticks so far (utime + stime). */
export const parseProcStat = (stat: string): { ppid: number; ticks: number } => {
  // Fields after "(comm)", which may hold spaces: state is the 3rd field of the line, utime the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
};

/** User + system CPU seconds the process has used so far. */
export const cpuSecondsOf = (pid: number): number =>
  parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks / CLOCK_TICKS;

/** User + system CPU seconds this process has used so far. */
export const ownCpuSeconds = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

export interface MachineCpu {
  readonly total: number;
  readonly idle: number;
}

/** The whole machine's CPU counters (all cores, in ticks): all of user..steal, and idle + iowait. */
export const machineCpu = (): MachineCpu => {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((sum, t) => sum + t, 0), idle: ticks[3]! + ticks[4]! };
};

/** Cores' worth of CPU the machine was busy between two readings. */
export const busyCores = (before: MachineCpu, after: MachineCpu): number => {
  const total = after.total - before.total;
  return total > 0 ? (availableParallelism() * (total - (after.idle - before.idle))) / total : NaN;
};
