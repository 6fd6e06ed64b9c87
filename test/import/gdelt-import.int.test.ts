import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTimelineCli } from '../support/cli-in-process.js';
import { graphql } from '../support/graphql-client.js';
import { EDITOR_KEY, startInProcessServer, type InProcessServer } from '../support/in-process-server.js';
import { readLog } from '../support/live-fixtures.js';

/**
 * `timeline import gdelt` on the real GDELT batch of 2015-02-18 23:00 (test/fixtures/gdelt, 2,271 rows), into real
 * SQLite files, then questions to a real server over that data.
 */

const SAMPLE = path.resolve(import.meta.dirname, '../fixtures/gdelt/20150218230000.export.CSV');
const SAMPLE_ROWS = 2271;
const LINES = readFileSync(SAMPLE, 'utf8')
  .split('\n')
  .filter((line) => line !== '');

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'timeline-gdelt-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `timeline <args>` in this process, as the command line runs it. */
const timeline = (args: readonly string[]) => runTimelineCli(args);

const SUMMARY = /import gdelt: (\d+) rows read: (\d+) imported, (\d+) already present, (\d+) rejected/;

const counts = (stdout: string) => {
  const match = SUMMARY.exec(stdout);
  if (!match) throw new Error(`no summary in ${JSON.stringify(stdout)}`);
  const [read, imported, present, rejected] = match.slice(1).map(Number) as [number, number, number, number];
  return { read, imported, present, rejected };
};

const importInto = (dataDir: string, files: readonly string[], ...options: string[]) =>
  timeline([
    'import',
    'gdelt',
    ...files,
    '--data-dir',
    dataDir,
    '--rejects',
    path.join(dataDir, 'rejects.tsv'),
    ...options,
  ]);

describe('timeline import gdelt on the sample batch', () => {
  let dataDir: string;
  let server: InProcessServer;
  let first: Awaited<ReturnType<typeof timeline>>;

  beforeAll(async () => {
    dataDir = path.join(work, 'sample');
    first = await importInto(dataDir, [SAMPLE]);
    server = await startInProcessServer({ TIMELINE_DATA_DIR: dataDir });
  }, 60_000);
  afterAll(async () => server?.close());

  const ask = async <T>(query: string, variables: Record<string, unknown> = {}) => {
    const response = await graphql<T>(server.url, query, variables, EDITOR_KEY);
    expect(response.errors).toBeUndefined();
    return response.data!;
  };

  it('accounts for every row: read = imported + already present + rejected = 2,271', () => {
    expect(first.code).toBe(0);
    const { read, imported, present, rejected } = counts(first.stdout);
    expect(read).toBe(SAMPLE_ROWS);
    expect(imported + present + rejected).toBe(read);
    expect({ imported, present, rejected }).toEqual({ imported: SAMPLE_ROWS, present: 0, rejected: 0 });
    expect(first.stdout).toMatch(/; \d+ actors registered; \d+ rows\/s\n$/);
    // Not a terminal: plain progress lines on stderr, the last one at 100 %.
    expect(first.stderr).toContain(`import gdelt: ${SAMPLE_ROWS}/${SAMPLE_ROWS} rows (100%)`);
  });

  const DEVELOPMENT = `query($id: ID!) {
    development(id: $id) {
      id kind mode title summary occurredAt precision location tone cameoCode
      participants { role actor { id name kind cameoCode country } }
      topics { id }
      sources { publisher url }
    }
  }`;

  /** A dozen rows and more, each with the kind its CAMEO code must give and what makes it worth a look. */
  const CHECKED: readonly [line: number, kind: string, why: string][] = [
    [1, 'CONSULT', '043 host a visit; only Actor2 is coded'],
    [2, 'CONSULT', '042 make a visit'],
    [6, 'STATEMENT', '013 optimistic comment: root 01, absent from PLOVER'],
    [11, 'STATEMENT', '010 make statement'],
    [12, 'STATEMENT', 'no ActionGeo'],
    [15, 'ASSAULT', '190 use conventional military force'],
    [40, 'ACCUSE', '112 accuse'],
    [49, 'APPEAL', '020 make an appeal: root 02'],
    [56, 'COERCE', '173 arrest'],
    [192, 'AGREE', '030 express intent to cooperate; SOURCEURL is a citation, not a URL'],
    [279, 'CONSULT', 'a lower-case (ethnic) actor code'],
    [296, 'CLAIM', '015 acknowledge or claim responsibility'],
    [587, 'ASSAULT', '1712 destroy property, ASSAULT under root 17 COERCE'],
    [857, 'APPEAL', '0214 appeal for military aid'],
    [1069, 'COERCE', '163 impose embargo: COERCE under root 16 SANCTION'],
    [1186, 'DENIAL', '016 deny responsibility'],
  ];

  it.each(CHECKED)('line %i becomes a %s development field by field (%s)', async (line, kind) => {
    const columns = LINES[line - 1]!.split('\t');
    const column = (index: number) => columns[index]!.trim();
    const { development } = await ask<{ development: Record<string, unknown> & Record<string, never> }>(DEVELOPMENT, {
      id: `gdelt:${column(0)}`,
    });
    expect(development).not.toBeNull();
    const sqlDate = column(1);
    expect(development).toMatchObject({
      kind,
      precision: 'DAY',
      occurredAt: `${sqlDate.slice(0, 4)}-${sqlDate.slice(4, 6)}-${sqlDate.slice(6, 8)}T00:00:00.000Z`,
      cameoCode: column(26),
      tone: Number(column(30)),
      topics: [],
    });
    expect(development.summary).toContain(`GDELT event ${column(0)}: CAMEO ${column(26)}`);
    expect(development.summary).toContain(`average tone ${Number(column(34))}`);

    const participants = development.participants as unknown as { role: string; actor: Record<string, unknown> }[];
    const coded = [
      { role: 'SOURCE', code: column(5), name: column(6), country: column(7) },
      { role: 'TARGET', code: column(15), name: column(16), country: column(17) },
    ].filter((actor) => actor.code !== '');
    const expected = column(5) === '' ? coded.map((actor) => ({ ...actor, role: 'TARGET' })) : coded;
    expect(participants.map(({ role, actor }) => [role, actor.cameoCode, actor.name, actor.country ?? ''])).toEqual(
      expected.map(({ role, code, name, country }) => [role, code, name, country]),
    );
    for (const { actor } of participants) expect(actor.id).toMatch(/^cameo:[a-z0-9]+(:[a-z0-9-]+)?$/);

    const geo = column(52);
    if (geo === '') expect(development.location).toBeNull();
    else expect(development.location).toBe(`${geo} (${Number(column(56))}, ${Number(column(57))})`);

    const source = column(60);
    const sources = development.sources as unknown as { publisher: string; url: string | null }[];
    if (/^https?:\/\//.test(source)) {
      expect(sources).toEqual([{ publisher: new URL(source).hostname.replace(/^www\./, ''), url: source }]);
    } else {
      expect(sources).toEqual([{ publisher: source, url: null }]);
    }
  });

  it('gives CONSULT developments their PLOVER mode', async () => {
    const host = await ask<{ development: { mode: string } }>(DEVELOPMENT, { id: `gdelt:${LINES[0]!.split('\t')[0]}` });
    expect(host.development.mode).toBe('visit');
  });

  it('answers timeline and actor questions over the imported data', async () => {
    const { development } = await ask<{ development: { participants: { actor: { id: string } }[] } }>(DEVELOPMENT, {
      id: `gdelt:${LINES[1]!.split('\t')[0]}`,
    });
    const actorId = development.participants[0]!.actor.id;
    const answer = await ask<{
      timeline: { totalCount: number; edges: { node: { id: string; occurredAt: string } }[] };
      actor: { id: string; developmentCount: number; relations: { other: { id: string } }[] };
    }>(
      `query($actor: ID!) {
        timeline(filter: { actorIds: [$actor] }, first: 500) { totalCount edges { node { id occurredAt } } }
        actor(id: $actor) { id developmentCount relations { other { id } } }
      }`,
      { actor: actorId },
    );
    const expected = LINES.filter((line) => {
      const columns = line.split('\t');
      return [5, 15].some((at) => columns[at] === development.participants[0]!.actor.id.split(':')[1]!.toUpperCase());
    });
    expect(answer.timeline.totalCount).toBeGreaterThan(0);
    expect(answer.timeline.totalCount).toBeLessThanOrEqual(expected.length);
    expect(answer.actor.developmentCount).toBeGreaterThan(0);
    const all = await ask<{ timeline: { totalCount: number } }>('{ timeline(first: 1) { totalCount } }');
    expect(all.timeline.totalCount).toBe(SAMPLE_ROWS);
  });

  it('appends nothing when the same file is imported again', async () => {
    const before = await readLog(server.url, {}, EDITOR_KEY);
    const again = await importInto(dataDir, [SAMPLE]);
    expect(again.code).toBe(0);
    expect(counts(again.stdout)).toEqual({ read: SAMPLE_ROWS, imported: 0, present: SAMPLE_ROWS, rejected: 0 });
    expect(again.stdout).toContain('; 0 actors registered;');
    const after = await readLog(server.url, {}, EDITOR_KEY);
    expect(after.length).toBe(before.length);
    expect(before.length).toBeGreaterThan(SAMPLE_ROWS);
  });
});

describe('timeline import gdelt on damaged input', () => {
  it('reports every bad line by number and reason, imports the rest, and exits 3 (0 with --allow-rejects)', async () => {
    const dataDir = path.join(work, 'damaged');
    const lines = [...LINES];
    const damage = (line: number, change: (columns: string[]) => string[] | string) => {
      const changed = change(lines[line - 1]!.split('\t'));
      lines[line - 1] = typeof changed === 'string' ? changed : changed.join('\t');
    };
    damage(3, (columns) => columns.slice(0, 40));
    damage(10, (columns) => Object.assign(columns, { 1: '20150231' }));
    damage(20, (columns) => Object.assign(columns, { 26: '999' }));
    damage(30, (columns) => Object.assign(columns, { 30: 'strong' }));
    damage(40, (columns) => Object.assign(columns, { 5: '', 15: '' }));
    damage(50, () => 'not a GDELT row at all');
    damage(60, (columns) => Object.assign(columns, { 0: 'x17' }));
    const file = path.join(work, 'damaged.CSV');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const run = await importInto(dataDir, [file]);
    expect(run.code).toBe(3);
    const { read, imported, present, rejected } = counts(run.stdout);
    expect({ read, rejected }).toEqual({ read: SAMPLE_ROWS, rejected: 7 });
    expect(imported + present + rejected).toBe(read);
    expect(run.stdout).toContain(`(written to ${path.join(dataDir, 'rejects.tsv')})`);

    const rejects = readFileSync(path.join(dataDir, 'rejects.tsv'), 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('source\tline\treason\trow');
    const byLine = rejects.slice(1).map((row) => {
      const [source, line, reason, ...original] = row.split('\t');
      return { source, line: Number(line), reason, original: original.join('\t') };
    });
    expect(byLine.map((reject) => [reject.line, reject.reason])).toEqual([
      [3, 'expected 61 tab-separated columns, found 40'],
      [10, 'SQLDATE "20150231" is not a date (YYYYMMDD)'],
      [20, 'EventCode 999 is not a CAMEO event code'],
      [30, 'GoldsteinScale "strong" is not a number from -10 to 10'],
      [40, 'neither actor is coded (Actor1Code and Actor2Code are empty)'],
      [50, 'expected 61 tab-separated columns, found 1'],
      [60, 'GLOBALEVENTID "x17" is not a number'],
    ]);
    for (const reject of byLine) {
      expect(reject.source).toBe(file);
      expect(reject.original).toBe(lines[reject.line - 1]);
    }

    // The rows that were refused stay refused; everything else is there already.
    const again = await importInto(dataDir, [file], '--allow-rejects', '--rejects', path.join(work, 'again.tsv'));
    expect(again.code).toBe(0);
    expect(counts(again.stdout)).toEqual({ read: SAMPLE_ROWS, imported: 0, present: SAMPLE_ROWS - 7, rejected: 7 });
  });

  it('refuses unknown formats, missing files and topics the log lacks, before writing anything', async () => {
    const dataDir = path.join(work, 'refusals');
    expect(await timeline(['import', 'csv', SAMPLE, '--data-dir', dataDir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected a format, gdelt or ndjson, got "csv"'),
    });
    expect(await timeline(['import', 'gdelt', path.join(work, 'nope.CSV'), '--data-dir', dataDir])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no such file'),
    });
    expect(await timeline(['import', 'gdelt', SAMPLE, '--topic', 'war', '--data-dir', dataDir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected <topic id>=<country codes>'),
    });
    expect(await timeline(['import', 'gdelt', SAMPLE, '--topic', 'war=UK', '--data-dir', dataDir])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"UK" is not a 3-letter country code'),
    });
    const missing = await timeline(['import', 'gdelt', SAMPLE, '--topic', 'war=UKR', '--data-dir', dataDir]);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('topics the log does not hold: war') });
    const server = await startInProcessServer({ TIMELINE_DATA_DIR: dataDir });
    try {
      const log = await graphql<{ eventLog: { edges: unknown[] } }>(
        server.url,
        '{ eventLog(first: 5) { edges { cursor } } }',
      );
      expect(log.data?.eventLog.edges).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('timeline import gdelt options', () => {
  it('reads .zip archives, and gives topics by the actors’ country codes', async () => {
    const dataDir = path.join(work, 'zipped');
    const zipFile = path.join(work, '20150218230000.export.CSV.zip');
    await new Promise<void>((resolve, reject) => {
      const zip = new yazl.ZipFile();
      zip.addFile(SAMPLE, '20150218230000.export.CSV');
      zip.end();
      zip.outputStream.pipe(createWriteStream(zipFile)).on('close', resolve).on('error', reject);
    });
    const topics = path.join(work, 'topics.ndjson');
    writeFileSync(
      topics,
      ['ukraine', 'us-russia']
        .map((id) =>
          JSON.stringify({ command: 'openTopic', input: { id, title: id, openedAt: '2000-01-01T00:00:00Z' } }),
        )
        .join('\n'),
    );
    expect((await timeline(['import', 'ndjson', topics, '--data-dir', dataDir])).code).toBe(0);

    const run = await importInto(dataDir, [zipFile], '--topic', 'ukraine=UKR', '--topic', 'us-russia=USA+RUS');
    expect(run.code).toBe(0);
    expect(counts(run.stdout)).toEqual({ read: SAMPLE_ROWS, imported: SAMPLE_ROWS, present: 0, rejected: 0 });

    const countries = (line: string) => {
      const columns = line.split('\t');
      return new Set([columns[7], columns[17]].filter((code) => code !== ''));
    };
    const ukrainian = LINES.filter((line) => countries(line).has('UKR')).length;
    const usRussian = LINES.filter((line) => countries(line).has('USA') && countries(line).has('RUS')).length;
    expect(ukrainian).toBeGreaterThan(0);
    const server = await startInProcessServer({ TIMELINE_DATA_DIR: dataDir });
    try {
      const answer = await graphql<{ a: { totalCount: number }; b: { totalCount: number } }>(
        server.url,
        `
          {
            a: timeline(filter: { topicIds: ["ukraine"] }, first: 1) {
              totalCount
            }
            b: timeline(filter: { topicIds: ["us-russia"] }, first: 1) {
              totalCount
            }
          }
        `,
      );
      expect(answer.data).toEqual({ a: { totalCount: ukrainian }, b: { totalCount: usRussian } });
    } finally {
      await server.close();
    }
  });
});
