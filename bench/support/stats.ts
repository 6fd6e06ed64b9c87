/** Percentiles and the formatting of figures, as the benches print them. */

/** The nearest-rank percentile of sorted values (p in 0..100); NaN when there are none. */
const percentile = (sorted: ArrayLike<number>, p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly min: number;
  readonly mean: number;
}

/** A typed array sorts by value natively (and fast, for the millions of samples of a fan-out). */
const sortedCopy = (values: readonly number[] | Float64Array): ArrayLike<number> =>
  values instanceof Float64Array ? values.slice().sort() : [...values].sort((a, b) => a - b);

export const summarize = (values: readonly number[] | Float64Array): Summary => {
  const sorted = sortedCopy(values);
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i]!;
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    min: sorted.length === 0 ? Number.NaN : sorted[0]!,
    mean: sum / Math.max(1, sorted.length),
  };
};

const MB = 1024 * 1024;

/** Fixed decimals without grouping, "n/a" for what could not be measured: the live fan-out's and query bomb's tables. */
export const decimal = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export const int = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '?';

export const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '?';

/** Milliseconds: two decimals below 10 ms, one below 100, whole above. */
export const ms = (value: number): string =>
  !Number.isFinite(value)
    ? '?'
    : value < 10
      ? `${fixed(value, 2)} ms`
      : value < 100
        ? `${fixed(value, 1)} ms`
        : `${int(value)} ms`;

export const seconds = (milliseconds: number): string =>
  `${fixed(milliseconds / 1000, milliseconds < 10_000 ? 2 : 1)} s`;

export const mb = (bytes: number): string => `${int(bytes / MB)} MB`;

/** A markdown table, columns padded to their widest cell. */
export const markdownTable = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
};
