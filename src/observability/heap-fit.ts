/**
 * What a process's heap must hold besides the read-model cache: requests' answers, compiled documents, the libraries.
 * Measured after the read-side bench: 45 MB of live heap beside a 32 MB cache at 100,000 developments (a heap
 * snapshot), 42 MB in use beside a 64 MB cache at 1M under a 160 MB old-space limit. 128 leaves room for several
 * of the largest answers (a busy actor's thousands of relations) in flight at once.
 */
export const HEAP_BESIDE_CACHE_BYTES = 128 * 1024 * 1024;

const floorMb = (bytes: number) => Math.max(0, Math.floor(bytes / 1024 / 1024));

/**
 * Whether TIMELINE_CACHE_MB fits V8's heap limit (--max-old-space-size). A cache that cannot fill makes V8 collect
 * ever more often as it grows, then stop the process out of memory; the two are set apart (an environment variable
 * and a Node flag), so the start says when they disagree. Null when the cache fits.
 */
export const heapFitProblem = (cacheBytes: number, heapLimitBytes: number): string | null =>
  cacheBytes + HEAP_BESIDE_CACHE_BYTES <= heapLimitBytes
    ? null
    : `the read-model cache (TIMELINE_CACHE_MB=${floorMb(cacheBytes)}) and the ` +
      `${floorMb(HEAP_BESIDE_CACHE_BYTES)} MB requests need beside it do not fit V8's heap limit of ` +
      `${floorMb(heapLimitBytes)} MB: lower TIMELINE_CACHE_MB to ${floorMb(heapLimitBytes - HEAP_BESIDE_CACHE_BYTES)} ` +
      `or raise --max-old-space-size by ${Math.ceil((cacheBytes + HEAP_BESIDE_CACHE_BYTES - heapLimitBytes) / 1024 / 1024)} MB`;
