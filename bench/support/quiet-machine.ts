import { progress } from './lifecycle.js';
import { busyCores, machineCpu, ownCpuSeconds } from './proc.js';
import { decimal } from './stats.js';
import { sleep } from './waiting.js';

/** Below this much CPU (in cores) used by other processes, the machine counts as quiet enough to measure. */
const QUIET_CORES = 0.25;

/** Cores' worth of CPU other processes use now (a 1 s look), after waiting up to `maxS` for it to fall low. */
export const waitForQuiet = async (maxS: number, label: string): Promise<number> => {
  const deadline = performance.now() + maxS * 1000;
  let told = 0;
  for (;;) {
    const before = machineCpu();
    const ownBefore = ownCpuSeconds();
    await sleep(1_000);
    const others = busyCores(before, machineCpu()) - (ownCpuSeconds() - ownBefore);
    if (others < QUIET_CORES || performance.now() >= deadline) return Math.max(0, others);
    if (performance.now() - told > 10_000) {
      progress(
        `${label}: other processes use ${decimal(others * 100, 0)}% of a core; waiting up to ${maxS} s for quiet`,
      );
      told = performance.now();
    }
  }
};
