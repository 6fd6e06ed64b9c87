/**
 * Frequent pieces of a text, each written as one control character (\x01, \x02, ... in table order): how the shares
 * of Redis index members are kept short (redis/redis-records.ts; a version's state text has a table of its own, read
 * in one pass with its dates: state-text.ts). Decoding gives the text back exactly as long as the text held no control character of
 * its own: the caller makes sure of it (JSON never holds one raw).
 */
export interface PieceTable {
  readonly encode: (text: string) => string;
  readonly decode: (text: string) => string;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A regular expression's source that matches any of `pieces` as written: longest first, so that a piece that starts
 * another is tried after it.
 */
export const alternationOf = (pieces: readonly string[]): string =>
  [...pieces]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');

export const pieceTable = (pieces: readonly string[]): PieceTable => {
  if (pieces.length > 29) throw new Error('a piece table has tokens \\x01 to \\x1d: \\x1e and \\x1f separate versions');
  const tokenOf = new Map<string, string>(pieces.map((piece, at) => [piece, String.fromCharCode(at + 1)]));
  const piece = new RegExp(alternationOf(pieces), 'g');
  const token = new RegExp(`[\\x01-\\x${pieces.length.toString(16).padStart(2, '0')}]`, 'g');
  return {
    encode: (text) => text.replace(piece, (found) => tokenOf.get(found)!),
    decode: (text) => text.replace(token, (found) => pieces[found.charCodeAt(0) - 1]!),
  };
};
