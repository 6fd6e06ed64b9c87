import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { categoryOf } from './categories.js';

/**
 * A V8 CPU profile (node --cpu-prof) reduced to where the time of one window went: each sample's self time, charged
 * to its category (categories.ts), in microseconds per request answered in the window.
 */

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface Window {
  /** process.hrtime.bigint() of the loading process, in ns: V8 stamps samples with the same monotonic clock. */
  readonly fromNs: bigint;
  readonly toNs: bigint;
  readonly requests: number;
}

export interface ProfileSummary {
  /** Microseconds per request by category, busiest first; idle left out. */
  readonly rows: readonly { readonly category: string; readonly microsPerRequest: number }[];
  readonly busyMicrosPerRequest: number;
  readonly samples: number;
}

export const readProfile = (dir: string): CpuProfile => {
  const files = readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${dir}, found ${files.length}`);
  return JSON.parse(readFileSync(path.join(dir, files[0]!), 'utf8')) as CpuProfile;
};

export const summarize = (profile: CpuProfile, window: Window): ProfileSummary => {
  const categories = new Map(profile.nodes.map((node) => [node.id, categoryOf(node.callFrame)]));
  const from = Number(window.fromNs / 1000n);
  const to = Number(window.toNs / 1000n);
  const micros = new Map<string, number>();
  let at = profile.startTime;
  let samples = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    at += profile.timeDeltas[index]!;
    // A sample stands for the time until the next one (the last: for the mean of the others).
    const span = profile.timeDeltas[index + 1] ?? (at - profile.startTime) / profile.samples.length;
    if (at < from || at > to) continue;
    const category = categories.get(profile.samples[index]!)!;
    samples += 1;
    if (category === 'idle') continue;
    micros.set(category, (micros.get(category) ?? 0) + span);
  }
  const rows = [...micros]
    .map(([category, total]) => ({ category, microsPerRequest: total / window.requests }))
    .sort((a, b) => b.microsPerRequest - a.microsPerRequest);
  return { rows, busyMicrosPerRequest: rows.reduce((sum, row) => sum + row.microsPerRequest, 0), samples };
};
