import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedBlocks } from '../support/markdown-blocks.js';
import { readRepositoryFile, repositoryMarkdown } from '../support/repository-markdown.js';
import { repositorySandbox, sandboxEnvironment } from '../support/repository-sandbox.js';
import { removeDir, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { serverSettings, shellExamples } from '../support/shell-examples.js';
import { shellSession, type ShellSession } from '../support/shell-session.js';
import { matchesShownOutput } from '../support/shown-output.js';

/**
 * Every shell example of the docs runs, against a real server, and prints what the page shows: an example that
 * drifts from the server fails here, not in a reader's terminal. The rules (which blocks run, the markers, the
 * placeholders, how output compares) are in docs/testing.md, "The shell examples".
 */

const PAGES = repositoryMarkdown().map((file) => {
  const markdown = readRepositoryFile(file);
  return { file, settings: serverSettings(markdown), ...shellExamples(fencedBlocks(markdown)) };
});
/** The addresses the examples are written for; each page's server listens elsewhere, on a port of its own. */
const DOCUMENTED_ADDRESS = /\b(?:localhost|127\.0\.0\.1):4000\b/g;
const PRINTED_KEY = /Authorization: Bearer (\S+)/;

/** The reader's shell: none of the settings of the shell the tests run in (npm's, the server's) leak into it. */
const readerEnvironment = (key: string | undefined): NodeJS.ProcessEnv =>
  sandboxEnvironment({
    ...Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(npm_|TIMELINE_|REDIS_URL$|NODE_OPTIONS$)/.test(name)),
    ),
    ...(key === undefined ? {} : { TIMELINE_KEY: key }),
    // The pages show what a command prints, not npm's banner before it (npm run -s).
    npm_config_loglevel: 'silent',
  });

describe('every fenced block of the docs is one this test knows what to do with', () => {
  it('finds examples to run, in the README and in docs/', () => {
    const running = PAGES.filter((page) => page.examples.some((example) => example.kind === 'run'));
    expect(running.map((page) => page.file)).toContain('README.md');
    expect(running.some((page) => page.file.startsWith('docs/'))).toBe(true);
  });

  it.each(PAGES.map((page) => [page.file, page.problems] as const))(
    '%s: no unlabelled block, no stray marker',
    (_, problems) => {
      expect(problems).toEqual([]);
    },
  );
});

for (const page of PAGES.filter(({ examples }) => examples.length > 0)) {
  describe(`${page.file}: its shell examples, in page order, on a server of its own`, () => {
    const needsServer = page.examples.some((example) => example.kind !== 'not run');
    let sandbox: string | undefined;
    let server: ServerProcess | undefined;
    let session: ShellSession;

    beforeAll(async () => {
      if (!needsServer) return;
      sandbox = repositorySandbox();
      // As `npm start` in a checkout, unless the page says otherwise: the seed loaded, no keys configured, so the
      // server makes an editor key and prints it (a page that configures keys has its own in its examples).
      server = await startServerProcess(page.settings, path.join(sandbox, 'data'));
      session = shellSession({ cwd: sandbox, env: readerEnvironment(PRINTED_KEY.exec(server.stdout())?.[1]) });
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      if (sandbox) removeDir(sandbox);
    });

    for (const example of page.examples) {
      const where = `${page.file}:${example.line}`;
      if (example.kind === 'not run') {
        it.skip(`${where}: not run: ${example.reason}`);
      } else if (example.kind === 'server start') {
        it(`${where}: the server prints this when it starts`, () => {
          expect(matchesShownOutput(['…', ...example.shown, '…'], server!.stdout()), server!.stdout()).toBe(true);
        });
      } else {
        it(`${where}: runs and prints what the page shows`, { timeout: 60_000 }, async () => {
          const address = new URL(server!.baseUrl).host;
          for (const step of example.steps) {
            const { code, output } = await session.run(step.command.replace(DOCUMENTED_ADDRESS, address));
            expect(code, `${where}: \`${step.command}\` exited with ${code}:\n${output}`).toBe(0);
            // On a difference, the comparison of the two texts shows where they part.
            if (!matchesShownOutput(step.shown, output)) expect(output.trim()).toBe(step.shown.join('\n'));
          }
        });
      }
    }
  });
}
