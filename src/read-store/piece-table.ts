/**
 * Frequent pieces of a text, each written as one control character (\x01, \x02, ... in table order): how the shares
 * of Redis index members are kept short (redis/redis-records.ts; a version's state text reads its table in one pass
 * with its dates: state-text.ts). Decoding gives the text back exactly as long as the text held no control character
 * of its own: the caller makes sure of it (JSON never holds one raw).
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

/** Each piece's token: \x01 for the first, and so on. */
export const tokensOf = (pieces: readonly string[]): Map<string, string> => {
  if (pieces.length > 29) throw new Error('a piece table has tokens \\x01 to \\x1d: \\x1e and \\x1f separate versions');
  return new Map(pieces.map((piece, at) => [piece, String.fromCharCode(at + 1)]));
};

/** A regular expression's source that matches any token of `pieces`. */
export const tokenClassOf = (pieces: readonly string[]): string =>
  `[\\x01-\\x${pieces.length.toString(16).padStart(2, '0')}]`;

export const pieceTable = (pieces: readonly string[]): PieceTable => {
  const tokenOf = tokensOf(pieces);
  const piece = new RegExp(alternationOf(pieces), 'g');
  const token = new RegExp(tokenClassOf(pieces), 'g');
  return {
    encode: (text) => text.replace(piece, (found) => tokenOf.get(found)!),
    decode: (text) => text.replace(token, (found) => pieces[found.charCodeAt(0) - 1]!),
  };
};
