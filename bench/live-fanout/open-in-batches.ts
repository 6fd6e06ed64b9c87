import { sleep } from '../support/waiting.js';
import { CONNECT_BATCH_TIMEOUT_MS } from './settings.js';

/** Opens `count` connections `batch` at a time, each batch once the one before is up; the milliseconds it took. */
export const openInBatches = async (
  count: number,
  batch: number,
  open: (index: number) => Promise<void>,
): Promise<number> => {
  const started = performance.now();
  for (let first = 0; first < count; first += batch) {
    const opening: Promise<void>[] = [];
    for (let index = first; index < Math.min(count, first + batch); index += 1) opening.push(open(index));
    await Promise.race([Promise.all(opening), sleep(CONNECT_BATCH_TIMEOUT_MS)]);
  }
  return performance.now() - started;
};
