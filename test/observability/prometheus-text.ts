/** One sample of the Prometheus text format: `name{label="value",…} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
// As Prometheus reads them (Go's ParseFloat): NaN and Inf in any case; prom-client writes NaN as `Nan`.
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+)|nan|[+-]?inf)$/i;

const parseLabels = (text: string, line: string): Record<string, string> => {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`labels that do not parse: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
  }
  return labels;
};

/**
 * Parses a scrape strictly: every line is a comment (# HELP, # TYPE), blank, or a sample whose value is a number,
 * and every sample belongs to a metric with a # TYPE line (a histogram's _bucket, _sum and _count to theirs).
 */
export const parsePrometheusText = (text: string): Sample[] => {
  const typed = new Set<string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) typed.add(type[1]!);
      else if (!/^# HELP \S+ /.test(line)) throw new Error(`a comment that is neither HELP nor TYPE: ${line}`);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match || !VALUE.test(match[3]!)) throw new Error(`a line that is not a sample: ${line}`);
    const name = match[1]!;
    const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(family)) throw new Error(`a sample without a TYPE line: ${line}`);
    const text = match[3]!.toLowerCase();
    const value = text.endsWith('inf')
      ? text.startsWith('-')
        ? -Infinity
        : Infinity
      : text === 'nan'
        ? NaN
        : Number(text);
    samples.push({ name, labels: parseLabels(match[2] ?? '', line), value });
  }
  return samples;
};

/** The value of the one sample with this name and these labels (among others); 0 when there is none. */
export const valueOf = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number => {
  const found = samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
};
