import { describe, expect, it } from 'vitest';
import { HEAP_BESIDE_CACHE_BYTES, heapFitProblem } from '../../src/observability/heap-fit.js';

const MB = 1024 * 1024;

describe('heapFitProblem', () => {
  it('lets a cache that fits with room for requests be', () => {
    expect(heapFitProblem(256 * MB, 256 * MB + HEAP_BESIDE_CACHE_BYTES)).toBeNull();
    expect(heapFitProblem(64 * MB, 4096 * MB)).toBeNull();
  });

  it('names both settings, and what either should be, when the cache cannot fill', () => {
    const problem = heapFitProblem(256 * MB, 256 * MB + HEAP_BESIDE_CACHE_BYTES - 1);
    expect(problem).toMatch(/TIMELINE_CACHE_MB=256\b/);
    expect(problem).toMatch(/limit of 383 MB: lower TIMELINE_CACHE_MB to 255 or raise --max-old-space-size by 1 MB$/);
    expect(heapFitProblem(256 * MB, 64 * MB)).toMatch(/lower TIMELINE_CACHE_MB to 0 /);
  });
});
