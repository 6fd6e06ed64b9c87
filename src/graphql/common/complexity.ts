import type { ComplexityEstimatorArgs } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE } from './connection.js';

/**
 * type-graphql complexity hints, read by graphql-query-complexity's fieldExtensionsEstimator before anything runs:
 * a list costs what one item costs times how many items it may hold. A hint reads Int arguments only: the cost gate
 * keeps its decision on a document per value of the variables of other types than ids, strings and instants
 * (operation-limits.ts, COSTLESS_TYPES), which a hint reading one of those would have to change.
 */

/** A page of `first` items (the default page when `first` is absent): `first: 1000000` costs a million items. */
export const pageComplexity = ({ args, childComplexity }: ComplexityEstimatorArgs): number => {
  const first = typeof args.first === 'number' && args.first >= 0 ? args.first : DEFAULT_PAGE_SIZE;
  return 1 + first * Math.max(1, childComplexity);
};

/** A list with no page size: roles, relations, participants… counted as `expected` items each. */
export const listComplexity =
  (expected: number) =>
  ({ childComplexity }: ComplexityEstimatorArgs): number =>
    1 + expected * Math.max(1, childComplexity);
