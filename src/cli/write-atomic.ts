import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `content` to `file` so that a reader sees the old file or the whole new one, never a part: a temp file in
 * the same directory (rename is atomic only within one file system), flushed to disk, then renamed over the target.
 * On any failure the temp file is removed and the target is left as it was.
 */
export const writeFileAtomic = async (file: string, content: string): Promise<void> => {
  const target = path.resolve(file);
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
};
