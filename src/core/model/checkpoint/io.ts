/** Positioned file reads into fresh, exactly sized buffers (so typed arrays over them are aligned). */
import type { FileHandle } from 'node:fs/promises';
import { fail } from './errors.js';

/** Node reads at most 2 GiB - 1 per call; stay well below. */
const MAX_CHUNK = 1 << 30;

export async function readAt(handle: FileHandle, file: string, length: number, position: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const want = Math.min(length - done, MAX_CHUNK);
    const { bytesRead } = await handle.read(out, done, want, position + done);
    if (bytesRead === 0) {
      throw fail(file, `unexpected end of file: needed ${length} bytes at offset ${position}, the file ends after ${position + done}`);
    }
    done += bytesRead;
  }
  return out;
}
