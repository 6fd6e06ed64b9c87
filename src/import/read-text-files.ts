import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** One text to import: a file, or one file inside a .zip archive, with the name to report it by. */
export interface NamedText {
  readonly name: string;
  readonly text: string;
}

const collect = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Every file inside a .zip archive (GDELT publishes one CSV per archive), named archive.zip:inner.CSV. */
const readZip = async (file: string): Promise<NamedText[]> => {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const nextEntry = () =>
    new Promise<yauzl.Entry | null>((resolve, reject) => {
      const cleanup = () => {
        zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      };
      const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry));
      const onEnd = () => (cleanup(), resolve(null));
      const onError = (error: Error) => (cleanup(), reject(error));
      zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
      zip.readEntry();
    });
  const texts: NamedText[] = [];
  try {
    for (let entry = await nextEntry(); entry !== null; entry = await nextEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      texts.push({ name: `${file}:${entry.fileName}`, text: (await collect(stream)).toString('utf8') });
    }
  } finally {
    zip.close();
  }
  return texts;
};

/**
 * The texts of the files given, in order; a .zip gives each file inside it. The whole text is read at once: a
 * GDELT batch is a few MB, and knowing the number of lines up front gives the progress bar its end.
 */
export const readTextFiles = async (files: readonly string[]): Promise<NamedText[]> => {
  const texts: NamedText[] = [];
  for (const file of files) {
    if (path.extname(file).toLowerCase() === '.zip') texts.push(...(await readZip(file)));
    else texts.push({ name: file, text: await readFile(file, 'utf8') });
  }
  return texts;
};

/** The lines of a text with their numbers (from 1), without the last empty one a final newline leaves. */
export const numberedLines = (text: string): { readonly number: number; readonly line: string }[] => {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, index) => ({ number: index + 1, line: line.endsWith('\r') ? line.slice(0, -1) : line }));
};
