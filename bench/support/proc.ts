import { readFileSync } from 'node:fs';

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
