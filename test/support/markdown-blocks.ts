/** A fenced code block of a markdown file, as the file has it. */
export interface FencedBlock {
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string (`sh`, `console`, `text`…), '' when the fence has none. */
  readonly language: string;
  /** The lines between the fences, without the fence's own indentation. */
  readonly lines: readonly string[];
  /** The last line before the fence that is not blank ('' at the top of the file): where a marker stands. */
  readonly before: string;
}

const OPENING = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/;

/** Every fenced block of a markdown text, in order; an unclosed fence runs to the end, as GitHub renders it. */
export const fencedBlocks = (markdown: string): FencedBlock[] => {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  let before = '';
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING.exec(lines[index]!);
    if (!opening) {
      if (lines[index]!.trim() !== '') before = lines[index]!.trim();
      continue;
    }
    const [, indent, fence, language] = opening as unknown as [string, string, string, string];
    const closing = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`);
    const body: string[] = [];
    const start = index;
    for (index++; index < lines.length && !closing.test(lines[index]!); index++) {
      // A block inside a list item is indented with it; its commands are not.
      body.push(lines[index]!.startsWith(indent) ? lines[index]!.slice(indent.length) : lines[index]!.trimStart());
    }
    blocks.push({ line: start + 1, language: language.toLowerCase(), lines: body, before });
    before = '';
  }
  return blocks;
};
