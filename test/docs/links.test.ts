import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The documentation refers only to what the repository holds. A clone has nothing else: a link to a file outside it,
 * to a page that moved or to a heading that was renamed is a dead end for the reader, and nothing else would notice.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Not the project's own files: dependencies, build output, data. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'data', 'coverage']);
/** The top folders a backticked path in the docs may start with. */
const TOP_FOLDERS = ['src', 'test', 'bench', 'docs', 'events', 'migrations', 'scripts', '.ci', 'bin'];
const README_LIMIT_BYTES = 12 * 1024;
/** A relative path, with a folder, to a file of the kinds the repository holds: source, schema, data, docs. */
const SOURCE_FILE = /^\.{0,2}\/?[\w.-]+(?:\/[\w.-]+)+\.(?:ts|mjs|js|graphql|md|json|ndjson|ya?ml|sql|csv)$/;

const walk = (dir: string, keep: (file: string) => boolean): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(full, keep);
    return keep(full) ? [full] : [];
  });

const relative = (file: string): string => path.relative(ROOT, file).split(path.sep).join('/');
const MARKDOWN = walk(ROOT, (file) => file.endsWith('.md'))
  .map(relative)
  .sort();
const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** The text outside fenced code blocks: what is in them is shell or code, not references. */
export const prose = (markdown: string): string => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export const anchorsOf = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, title] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const plain = title!.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
};

/** Whether a repository path (relative to ROOT, maybe ending in /) names a file or folder inside the repository. */
const inRepository = (target: string): boolean => {
  const full = path.resolve(ROOT, target);
  return !path.relative(ROOT, full).startsWith('..') && existsSync(full);
};

/** Every problem with the references of one markdown file, as readable lines. */
export const brokenReferences = (file: string, markdown: string, anchorsOfFile = anchorsOf): string[] => {
  const problems: string[] = [];
  const text = prose(markdown);
  const dir = path.posix.dirname(file);

  for (const [, target] of text.matchAll(/!?\[[^\]]*\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // http:, https:, mailto:
    const [pathPart, anchor] = target!.split('#', 2) as [string, string | undefined];
    const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(dir, decodeURI(pathPart)));
    if (pathPart !== '' && !inRepository(resolved)) {
      problems.push(`${file}: link to ${target}: ${resolved} is not in the repository`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md')) {
      problems.push(`${file}: link to ${target}: an anchor into a file that is not markdown`);
    } else if (!anchorsOfFile(resolved === file ? markdown : read(resolved)).has(anchor)) {
      problems.push(`${file}: link to ${target}: ${resolved} has no heading #${anchor}`);
    }
  }

  const topFolder = new RegExp(`^(?:${TOP_FOLDERS.map((f) => f.replace('.', '\\.')).join('|')})/`);
  for (const [, code] of text.matchAll(/`([^`\n]+)`/g)) {
    const candidate = code!.trim();
    // A path, not a pattern or a placeholder: `test/**/*.test.ts`, `src/<part>/` are not references to one file.
    if (/[\s*<>{}…|]/.test(candidate)) continue;
    if (topFolder.test(candidate)) {
      if (!inRepository(candidate)) problems.push(`${file}: \`${candidate}\` is not in the repository`);
    } else if (SOURCE_FILE.test(candidate) && !inRepository(path.posix.join(dir, candidate))) {
      // A file of the project's own kinds under some other folder (`shared/api/contract.graphql`) is a reference too,
      // from the repository's root or from the page's folder.
      if (!inRepository(candidate)) problems.push(`${file}: \`${candidate}\` is not in the repository`);
    }
  }
  return problems;
};

describe('the documentation refers only to what the repository holds', () => {
  it('finds the markdown files it checks', () => {
    expect(MARKDOWN).toContain('README.md');
    expect(MARKDOWN).toContain('docs/architecture.md');
    expect(MARKDOWN).toContain('events/seed/README.md');
  });

  it.each(MARKDOWN)('%s: every relative link, anchor and backticked path resolves', (file) => {
    expect(brokenReferences(file, read(file))).toEqual([]);
  });

  it('source comments that cite a docs page cite one that exists, and the section they quote', () => {
    const sources = walk(
      ROOT,
      // This file's own examples name pages that do not exist, on purpose.
      (file) =>
        (/\.(ts|mjs|js|yml|graphql)$/.test(file) || file.endsWith('Dockerfile')) && file !== import.meta.filename,
    );
    const problems: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const [, page, section] of text.matchAll(/\bdocs\/([\w-]+\.md)(?:[,:]?\s*\(?"([^"\n]+)")?/g)) {
        const where = `${relative(file)}: docs/${page}`;
        if (!existsSync(path.join(ROOT, 'docs', page!))) {
          problems.push(`${where} is not in the repository`);
          continue;
        }
        if (section === undefined) continue;
        const markdown = read(`docs/${page}`);
        const titled = new RegExp(`^#{1,6}\\s+${escape(section)}\\s*$|\\*\\*${escape(section)}\\.?\\*\\*`, 'm');
        if (!titled.test(prose(markdown))) problems.push(`${where} has no section "${section}"`);
      }
      // The README is an index now: a section of it cited from the code has moved to docs/.
      for (const [cited] of text.matchAll(/\bREADME(?!\.md)['’]?s?\s*[,(]?\s*"[^"\n]+"/g)) {
        problems.push(`${relative(file)}: cites ${cited}; cite the docs page instead`);
      }
    }
    expect(problems).toEqual([]);
  });
});

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the README is a short page that leads to the rest', () => {
  const readme = read('README.md');

  it(`stays under ${README_LIMIT_BYTES / 1024} KB`, () => {
    expect(statSync(path.join(ROOT, 'README.md')).size).toBeLessThan(README_LIMIT_BYTES);
  });

  it('links every page of docs/', () => {
    const pages = readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    const linked = new Set([...prose(readme).matchAll(/\]\(docs\/([\w-]+\.md)(?:#[^)]*)?\)/g)].map((m) => m[1]));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('docs/dependencies.md says why each dependency is there', () => {
  it('names every package of package.json', () => {
    const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    const packages = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
    const page = read('docs/dependencies.md');
    const named = (name: string) =>
      page.includes(`\`${name}\``) ||
      (name.startsWith('@types/') && page.includes(`\`${name.slice('@types/'.length)}\``));
    expect(packages.filter((name) => !named(name))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('catch a link to a missing file, a missing heading and a missing backticked path', () => {
    const page = [
      '# A page',
      '[gone](../nowhere/missing.md), [here](#a-page), [there](architecture.md#no-such-heading),',
      '`src/no-such-file.ts`, `src/domain/`, `test/**/*.test.ts`, `shared/api/contract.graphql`, `application/json`,',
      '`./data/editor.key`, `../docs/api.md`.',
      '```sh',
      'cat src/also-missing-but-in-a-code-block.ts `src/in-code.ts`',
      '```',
    ].join('\n');
    expect(brokenReferences('docs/example.md', page)).toEqual([
      'docs/example.md: link to ../nowhere/missing.md: nowhere/missing.md is not in the repository',
      'docs/example.md: link to architecture.md#no-such-heading: docs/architecture.md has no heading #no-such-heading',
      'docs/example.md: `src/no-such-file.ts` is not in the repository',
      'docs/example.md: `shared/api/contract.graphql` is not in the repository',
    ]);
  });

  it('make anchors as GitHub does', () => {
    expect([...anchorsOf('# Time: two axes\n## `timeline serve` on Redis\n## Notes\n## Notes\n')]).toEqual([
      'time-two-axes',
      'timeline-serve-on-redis',
      'notes',
      'notes-1',
    ]);
  });
});
