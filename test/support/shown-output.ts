/**
 * Whether what a command printed is what a page shows, by the rule of docs/testing.md ("The shell examples"):
 * line by line, trailing spaces and blank lines at either end aside; a line that is only `…` stands for any number of
 * lines (none too), and `…` within a line for any text on that line. One rule for JSON and everything else: GraphQL
 * answers keep the query's field order, so a JSON answer compares as its text.
 */
const ELLIPSIS = '…';

const trimmedLines = (text: string): string[] => {
  const lines = text.split(/\r?\n/).map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
};

const linePattern = (shown: string): RegExp =>
  new RegExp(
    `^${shown
      .split(ELLIPSIS)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

export const matchesShownOutput = (shown: readonly string[], printed: string): boolean => {
  const expected = trimmedLines(shown.join('\n'));
  const actual = trimmedLines(printed);
  const patterns = expected.map((line) => (line === ELLIPSIS ? null : linePattern(line)));
  // Whether expected[from…] matches actual[at…]; memoised, as runs of `…` lines would otherwise try every split.
  const known = new Map<number, boolean>();
  const match = (from: number, at: number): boolean => {
    if (from === expected.length) return at === actual.length;
    const key = from * (actual.length + 1) + at;
    const cached = known.get(key);
    if (cached !== undefined) return cached;
    const pattern = patterns[from];
    let result: boolean;
    if (pattern === null) {
      result = false;
      for (let next = at; next <= actual.length && !result; next++) result = match(from + 1, next);
    } else {
      result = at < actual.length && pattern!.test(actual[at]!) && match(from + 1, at + 1);
    }
    known.set(key, result);
    return result;
  };
  return match(0, 0);
};
