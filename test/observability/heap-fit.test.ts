import { describe, expect, it } from 'vitest';
import { HEAP_BESIDE_CACHE_BYTES, heapFit } from '../../src/observability/heap-fit.js';

const MB = 1024 * 1024;

describe('heapFit', () => {
  it('lets a cache that fits with room for requests be', () => {
    expect(heapFit(256 * MB, 256 * MB + HEAP_BESIDE_CACHE_BYTES).problem).toBeNull();
    expect(heapFit(64 * MB, 4096 * MB).problem).toBeNull();
  });

  it('names both settings, and what either should be, when the cache cannot fill', () => {
    const { problem } = heapFit(256 * MB, 256 * MB + HEAP_BESIDE_CACHE_BYTES - 1);
    expect(problem).toMatch(/TIMELINE_CACHE_MB=256\b/);
    expect(problem).toMatch(/limit of 383 MB: lower TIMELINE_CACHE_MB to 255 or raise --max-old-space-size by 1 MB$/);
    expect(heapFit(256 * MB, 64 * MB).problem).toMatch(/lower TIMELINE_CACHE_MB to 0 /);
  });
});
