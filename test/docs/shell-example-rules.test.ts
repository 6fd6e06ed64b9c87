import { describe, expect, it } from 'vitest';
import { fencedBlocks } from '../support/markdown-blocks.js';
import { serverSettings, shellExamples } from '../support/shell-examples.js';
import { matchesShownOutput } from '../support/shown-output.js';

/** The rules shell-examples.e2e.test.ts applies to the docs (docs/testing.md, "The shell examples"), on small pages. */

const page = (...lines: string[]) => shellExamples(fencedBlocks(lines.join('\n')));

describe('what a page shows a command prints', () => {
  it('is the printed text, line by line, trailing spaces and blank lines at either end aside', () => {
    expect(matchesShownOutput(['{"data":null}'], '\n{"data":null}  \n\n')).toBe(true);
    expect(matchesShownOutput(['{"data":null}'], '{"data":{}}')).toBe(false);
    expect(matchesShownOutput(['a', 'b'], 'a\nb\nc')).toBe(false);
    expect(matchesShownOutput([], '')).toBe(true);
    expect(matchesShownOutput([], 'something')).toBe(false);
  });

  it('elides any text within a line with …, and nothing else is a pattern', () => {
    expect(
      matchesShownOutput(['{"participants":[…]},"on15":null}'], '{"participants":[{"name":"A"}]},"on15":null}'),
    ).toBe(true);
    expect(matchesShownOutput(['… rows/s'], '6042 rows/s')).toBe(true);
    expect(matchesShownOutput(['… rows/s'], '6042 rows/s, then more')).toBe(false);
    expect(matchesShownOutput(['a.c (x)*'], 'abc xx')).toBe(false);
    expect(matchesShownOutput(['a.c (x)*'], 'a.c (x)*')).toBe(true);
  });

  it('elides any number of lines, none too, with a line that is only …', () => {
    expect(matchesShownOutput(['first', '…', 'last'], 'first\nlast')).toBe(true);
    expect(matchesShownOutput(['first', '…', 'last'], 'first\n1\n2\n3\nlast')).toBe(true);
    expect(matchesShownOutput(['first', '…', 'last'], 'first\n1\nlast\nafter')).toBe(false);
    expect(matchesShownOutput(['…', 'key: …', '…'], 'log\nkey: 3q2n\nlog')).toBe(true);
    expect(matchesShownOutput(['…', 'key: …', '…'], 'log\nno key\nlog')).toBe(false);
  });
});

describe('the fenced blocks of a page', () => {
  it('have their line, language, lines and the line before them', () => {
    const blocks = fencedBlocks(
      [
        'text',
        '<!-- marker -->',
        '```sh',
        'echo 1',
        '```',
        '',
        '- item:',
        '  ~~~Console extra',
        '  $ echo 2',
        '  ~~~',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { line: 3, language: 'sh', lines: ['echo 1'], before: '<!-- marker -->' },
      { line: 8, language: 'console', lines: ['$ echo 2'], before: '- item:' },
    ]);
  });
});

describe('the shell examples of a page', () => {
  it('run a sh block whole; the comment lines after its last command are what it prints', () => {
    expect(page('```sh', '# a comment', 'echo a  # inline', 'echo b', '# a', '#', '# b', '```').examples).toEqual([
      { line: 1, kind: 'run', steps: [{ command: '# a comment\necho a  # inline\necho b', shown: ['a', '', 'b'] }] },
    ]);
    expect(page('```bash', 'true', '```').examples).toEqual([
      { line: 1, kind: 'run', steps: [{ command: 'true', shown: [] }] },
    ]);
  });

  it('run a console block command by command, each with the lines after it, continuations included', () => {
    expect(page('```console', '$ printf "%s\\n" \\', '    one', 'one', '$ true', '```').examples).toEqual([
      {
        line: 1,
        kind: 'run',
        steps: [
          { command: 'printf "%s\\n" \\\n    one', shown: ['one'] },
          { command: 'true', shown: [] },
        ],
      },
    ]);
  });

  it('skip a shell block marked not run, with its reason, and check a block of what the server prints', () => {
    expect(
      page(
        '<!-- not run: needs Docker -->',
        '```sh',
        'docker compose up',
        '```',
        '<!-- the server prints this when it starts -->',
        '```text',
        'Authorization: Bearer …',
        '```',
      ).examples,
    ).toEqual([
      { line: 2, kind: 'not run', reason: 'needs Docker' },
      { line: 6, kind: 'server start', shown: ['Authorization: Bearer …'] },
    ]);
    expect(page('```js', 'run()', '```', '```text', 'a diagram', '```')).toEqual({ examples: [], problems: [] });
  });

  it('leave no block the test cannot classify: a fence without a language, a stray or empty marker, no command', () => {
    const { examples, problems } = page(
      '```',
      'curl localhost:4000/graphql',
      '```',
      '<!-- not run: it is js -->',
      '```js',
      'x()',
      '```',
      '<!-- not run: -->',
      '```sh',
      'rm -rf /',
      '```',
      '```console',
      'output first',
      '```',
      '```sh',
      '# only a comment',
      '```',
    );
    expect(examples).toEqual([]);
    expect(problems.map(({ line, problem }) => `${line}: ${problem.split(':')[0]}`)).toEqual([
      '1: a fence without a language',
      '5: "not run" before a js block, which never runs',
      '9: "not run" without a reason',
      '12: a console block starts with a `$ ` command',
      '15: a shell block with no command',
    ]);
  });
});

describe("the settings of a page's server", () => {
  it('are none without a marker, and the NAME=value pairs of one', () => {
    expect(serverSettings('# A page\n\nno marker\n')).toEqual({});
    expect(
      serverSettings(
        "text\n<!-- the examples' server runs with: TIMELINE_CORS_ORIGINS=https://a.example TIMELINE_SEED=false -->\n",
      ),
    ).toEqual({ TIMELINE_CORS_ORIGINS: 'https://a.example', TIMELINE_SEED: 'false' });
  });

  it('refuse a setting that is not NAME=value', () => {
    expect(() => serverSettings("<!-- the examples' server runs with: cors on -->")).toThrow('"cors" in');
  });
});
