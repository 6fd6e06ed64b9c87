import { badInput } from '../../application/errors.js';

export const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 500;

interface Edge<T> {
  readonly cursor: string;
  readonly node: T;
}

export interface Connection<T> {
  readonly edges: Edge<T>[];
  readonly pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  readonly totalCount: number;
}

/** Cursors are opaque to clients: the base64url of the item's sort key. */
const encodeCursor = (key: readonly unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

const decodeCursor = (cursor: string): unknown[] | null => {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) ? key : null;
  } catch {
    return null;
  }
};

/** Whether a client's string is a cursor of a page of this API (a sort key, not a log position). */
export const isPageCursor = (cursor: string): boolean => decodeCursor(cursor) !== null;

export const pageSize = (first: number | null | undefined): number => {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}`, ['first']);
  }
  return first;
};

/**
 * One page of a sorted list. The cursor holds the sort key of the last item seen, so paging stays right when
 * items come or go between two requests: the next page starts after that key, wherever it now falls.
 * hasNextPage says whether items lie past the page (Relay's HasNextPage: more than `first` of them after `after`),
 * and endCursor is where the next page starts, so that `after: endCursor` goes on from there whatever the page
 * held: the last edge's cursor, or on a page with no edge (`first: 0`, or past the end) the `after` it was asked
 * with, null for the start (docs/api.md, "Pages").
 */
export const paginate = <T>(
  items: readonly T[],
  options: {
    readonly first?: number | null;
    readonly after?: string | null;
    readonly keyOf: (item: T) => readonly (string | number)[];
    /** The order of `items`, on their keys. */
    readonly compare: (a: readonly unknown[], b: readonly unknown[]) => number;
  },
): Connection<T> => {
  const size = pageSize(options.first);
  let start = 0;
  if (options.after) {
    const key = decodeCursor(options.after);
    if (key === null) {
      throw badInput("after takes a cursor of this list (an edge's cursor, or pageInfo.endCursor); this is not one", [
        'after',
      ]);
    }
    const index = items.findIndex((item) => options.compare(options.keyOf(item), key) > 0);
    start = index === -1 ? items.length : index;
  }
  const page = items.slice(start, start + size);
  const edges = page.map((node) => ({ cursor: encodeCursor(options.keyOf(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + size < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? options.after ?? null,
    },
    totalCount: items.length,
  };
};

const compareScalar = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
};

/** Lexicographic order over key tuples; `directions` flips a component for a descending sort. */
export const compareKeys =
  (directions: readonly (1 | -1)[]) =>
  (a: readonly unknown[], b: readonly unknown[]): number => {
    for (let i = 0; i < directions.length; i++) {
      const order = compareScalar(a[i], b[i]) * directions[i]!;
      if (order !== 0) return order;
    }
    return 0;
  };
