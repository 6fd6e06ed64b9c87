import type { Message } from 'graphql-ws';
import { busyCores, cpuSecondsOf, machineCpu, ownCpuSeconds, residentOf } from '../support/proc.js';
import type { Summary } from '../support/stats.js';
import type { Check } from './deliveries.js';

/** What a run (the timeline's or the bare baseline's) measured, as the report prints it. */

export interface Memory {
  readonly rssMb: number;
  readonly hwmMb: number;
}

export const memoryOf = (pid: number): Memory => {
  const { rss, peak } = residentOf(pid);
  return { rssMb: rss / 1024 / 1024, hwmMb: peak / 1024 / 1024 };
};

interface ServerFigures {
  readonly idle: Memory;
  readonly connected: Memory;
  readonly end: Memory;
  /** Server CPU seconds per wall second over the measured phase (1 = one core busy). */
  readonly cpuCores: number;
}

export interface RunResult {
  readonly label: string;
  readonly latency: Summary;
  readonly check: Check;
  readonly server: ServerFigures;
  readonly benchCpuCores: number;
  readonly connected: number;
  readonly connectMs: number;
  readonly notes: string[];
  readonly problems: string[];
  /** Reasons to think the server could not keep up. */
  readonly overload: string[];
  /** Other processes took a noticeable share of the machine while this was measured. */
  readonly noisy: boolean;
}

/** A graphql-ws `next` message as the timeline sent it, and the average size of those: the baseline's shape. */
export interface Sample {
  readonly message: Message;
  readonly bytes: number;
}

export interface TimelineResult extends RunResult {
  readonly sample: Sample | null;
}

export interface CpuShares {
  /** CPU seconds per wall second since the start: the server's, this process's (clients, writer), the others'. */
  readonly serverCores: number;
  readonly benchCores: number;
  readonly otherCores: number;
  readonly elapsedMs: number;
}

/** Starts measuring who uses the CPU; the returned function reads the shares since then. */
export const startCpuShares = (serverPid: number): (() => CpuShares) => {
  const serverBefore = cpuSecondsOf(serverPid);
  const benchBefore = ownCpuSeconds();
  const machineBefore = machineCpu();
  const started = performance.now();
  return () => {
    const elapsedMs = performance.now() - started;
    const serverCores = (cpuSecondsOf(serverPid) - serverBefore) / (elapsedMs / 1000);
    const benchCores = (ownCpuSeconds() - benchBefore) / (elapsedMs / 1000);
    const otherCores = Math.max(0, busyCores(machineBefore, machineCpu()) - serverCores - benchCores);
    return { serverCores, benchCores, otherCores, elapsedMs };
  };
};
