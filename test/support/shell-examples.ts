import type { FencedBlock } from './markdown-blocks.js';

/**
 * The shell examples of a markdown page, and the rules that make them checkable (docs/testing.md, "The shell
 * examples"): `sh`, `bash`, `shell` and `console` blocks run unless a `<!-- not run: why -->` line stands before them;
 * what they print is shown after them in the block, and `…` elides. A block after `<!-- the server prints this when
 * it starts -->` is checked against what the page's server printed.
 */

const SHELL = new Set(['sh', 'bash', 'shell', 'zsh', 'console', 'shell-session']);
const SESSION = new Set(['console', 'shell-session']);
const NOT_RUN = /^<!--\s*not run:\s*(.*?)\s*-->$/;
const SERVER_START = /^<!--\s*the server prints this when it starts\s*-->$/;

/** One command of an example and what the page shows it prints ([] when it shows nothing: it must print nothing). */
interface ExampleStep {
  readonly command: string;
  readonly shown: readonly string[];
}

export type ShellExample =
  | { readonly line: number; readonly kind: 'run'; readonly steps: readonly ExampleStep[] }
  | { readonly line: number; readonly kind: 'not run'; readonly reason: string }
  /** A block of what the server prints when it starts (the key the examples use is there). */
  | { readonly line: number; readonly kind: 'server start'; readonly shown: readonly string[] };

/** Where a page breaks the rules: blocks the test could not classify, markers with nothing to mark. */
export interface ExampleProblem {
  readonly line: number;
  readonly problem: string;
}

/**
 * A `sh` block is one step: its commands, and the comment lines after the last of them are what it prints
 * (`# {"data":…}`); comments elsewhere are comments.
 */
const scriptSteps = (lines: readonly string[]): ExampleStep[] => {
  const isCommand = (line: string) => line.trim() !== '' && !/^\s*#/.test(line);
  const last = lines.findLastIndex(isCommand);
  const shown = lines
    .slice(last + 1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.replace(/^\s*# ?/, ''));
  return [{ command: lines.slice(0, last + 1).join('\n'), shown }];
};

/** A `console` block is a session: each `$ ` line (and its `\` continuations) a step, the lines after it its output. */
const sessionSteps = (lines: readonly string[]): ExampleStep[] | string => {
  const steps: { command: string[]; shown: string[] }[] = [];
  let continued = false;
  for (const line of lines) {
    if (continued) steps.at(-1)!.command.push(line);
    else if (line.startsWith('$ ')) steps.push({ command: [line.slice(2)], shown: [] });
    else if (steps.length === 0) {
      if (line.trim() !== '') return 'a console block starts with a `$ ` command';
    } else steps.at(-1)!.shown.push(line);
    continued = steps.length > 0 && !steps.at(-1)!.shown.length && /\\$/.test(line);
  }
  return steps.map(({ command, shown }) => ({ command: command.join('\n'), shown }));
};

/** The examples of a page's blocks, and what keeps the test from knowing what to do with some of them. */
export const shellExamples = (
  blocks: readonly FencedBlock[],
): { examples: ShellExample[]; problems: ExampleProblem[] } => {
  const examples: ShellExample[] = [];
  const problems: ExampleProblem[] = [];
  for (const block of blocks) {
    const marker = NOT_RUN.exec(block.before);
    if (SERVER_START.test(block.before)) {
      examples.push({ line: block.line, kind: 'server start', shown: block.lines });
    } else if (block.language === '') {
      problems.push({
        line: block.line,
        problem: "a fence without a language: `sh` or `console` for commands (they run), `text` or the code's language",
      });
    } else if (!SHELL.has(block.language)) {
      if (marker)
        problems.push({ line: block.line, problem: `"not run" before a ${block.language} block, which never runs` });
    } else if (marker) {
      if (marker[1] === '') problems.push({ line: block.line, problem: '"not run" without a reason' });
      else examples.push({ line: block.line, kind: 'not run', reason: marker[1]! });
    } else {
      const steps = SESSION.has(block.language) ? sessionSteps(block.lines) : scriptSteps(block.lines);
      if (typeof steps === 'string') problems.push({ line: block.line, problem: steps });
      else if (steps.every((step) => step.command.trim() === '')) {
        problems.push({ line: block.line, problem: 'a shell block with no command' });
      } else examples.push({ line: block.line, kind: 'run', steps });
    }
  }
  return { examples, problems };
};

const SERVER_SETTINGS = /^<!--\s*the examples' server runs with:\s*(.*?)\s*-->\s*$/m;

/**
 * The settings a page's examples need their server to have, from a `<!-- the examples' server runs with: NAME=value …
 * -->` line anywhere on the page (values without spaces); none for a page without one: the server as `npm start` runs.
 */
export const serverSettings = (markdown: string): Record<string, string> => {
  const line = SERVER_SETTINGS.exec(markdown);
  if (!line) return {};
  return Object.fromEntries(
    line[1]!.split(/\s+/).map((setting) => {
      const parsed = /^([A-Z][A-Z0-9_]*)=(\S*)$/.exec(setting);
      if (!parsed) throw new Error(`"${setting}" in "${line[0].trim()}" is not NAME=value`);
      return [parsed[1]!, parsed[2]!];
    }),
  );
};
