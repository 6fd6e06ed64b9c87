/**
 * An actor's changes since a snapshot was built, behind its boundary, are those added after one position AND
 * occurred by one instant: neither world order nor the order they came in finds them without reading thousands
 * (docs/architecture.md, "Snapshots"). Both stores index them by a bucket of occurredAt, then by when they came, and
 * seek in each bucket up to the boundary's. The width is a month: a history of years has a few dozen buckets to seek,
 * and a month's changes after a boundary are few.
 */
export const CHANGES_BUCKET_MS = 2_592_000_000;
