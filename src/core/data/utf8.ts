/**
 * Streaming UTF-8 decoding of a file: chunks of text with the BOM removed; invalid bytes are a
 * DataError naming the file, the (approximate) line and the byte offset.
 */
import { open } from 'node:fs/promises';
import { DataError } from './errors.js';

const CHUNK = 1 << 20;

export interface DecodeProgress {
  file: string;
  bytes: number;
  totalBytes: number;
}

export interface DecodeOptions {
  signal?: AbortSignal;
  onProgress?: (p: DecodeProgress) => void;
}

/**
 * Offset of the first byte in `bytes[start..]` that cannot be part of well-formed UTF-8 (overlong
 * forms, surrogates and values above U+10FFFF included), or -1. A sequence cut off by the end of
 * `bytes` is reported at its first byte when `final`, else accepted.
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, final = true): number {
  let i = start;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return final ? i : -1;
      const c = bytes[i + k]!;
      if (c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

function countNewlines(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) count++;
  return count;
}

function utf8Error(file: string, line: number, offset: number, byte: number | undefined): DataError {
  const hex = byte === undefined ? '' : ` (byte 0x${byte.toString(16).padStart(2, '0')})`;
  return new DataError(
    'invalid-utf8',
    file,
    `${file}: not valid UTF-8 near line ${line}, byte offset ${offset}${hex}. Save the file as UTF-8 ` +
      `(in Excel: "CSV UTF-8"); it may be in another encoding such as GBK/GB18030 or Windows-1252.`,
    { row: line },
  );
}

/**
 * Reads `file` in 1 MiB chunks and yields its text (BOM removed). Throws DataError for a missing
 * file, a UTF-16 file, or invalid UTF-8.
 */
export async function* decodeFile(file: string, options: DecodeOptions = {}): AsyncGenerator<string, void, undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new DataError('file-not-found', file, `${file}: cannot open the data file (${what}). Check the path.`, { cause: e });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new DataError('file-not-found', file, `${file} is a folder; name a CSV, TSV, JSON or JSONL file.`);
    const totalBytes = stat.size;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const buf = new Uint8Array(CHUNK);
    let offset = 0;
    let lines = 0;
    for (;;) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (offset === 0 && bytesRead >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
        throw new DataError('invalid-utf8', file, `${file} is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8 (in Excel: "CSV UTF-8").`, {
          row: 1,
        });
      }
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        // Skip continuation bytes that complete a sequence begun in the previous chunk.
        let start = 0;
        while (start < 3 && start < chunk.length && (chunk[start]! & 0xc0) === 0x80) start++;
        let bad = firstInvalidUtf8(chunk, start, false);
        if (bad < 0) bad = 0;
        throw utf8Error(file, lines + countNewlines(chunk, bad) + 1, offset + bad, chunk[bad]);
      }
      lines += countNewlines(chunk, bytesRead);
      offset += bytesRead;
      options.onProgress?.({ file, bytes: offset, totalBytes });
      if (text.length > 0) yield text;
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      throw utf8Error(file, lines + 1, Math.max(0, offset - 1), undefined);
    }
    if (tail.length > 0) yield tail;
  } finally {
    await handle.close();
  }
}
