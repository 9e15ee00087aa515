/**
 * A read-only zip reader that reads the central directory, then each member on demand straight
 * from the file (PyTorch checkpoints are zips of stored members, often hundreds of MB: the
 * archive is never held whole in memory). Deflated members are inflated with fflate. ZIP64 is
 * supported; encryption, multi-disk archives and compression methods other than stored/deflate
 * are not. Member CRC-32s are checked.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { inflateSync } from 'fflate';
import { fail } from './errors.js';
import { readAt } from './io.js';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

let crcTable: Int32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  const t = crcTable;
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

function u64(dv: DataView, at: number): number {
  const v = dv.getBigUint64(at, true);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

export class ZipReader {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
    readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  /** Open a zip; `what` says what the file was meant to be, for errors ("PyTorch checkpoint"). */
  static async open(path: string, what = 'zip archive'): Promise<ZipReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw fail(path, `cannot open ${what} (${(e as Error).message})`, e);
    }
    try {
      const { size } = await handle.stat();
      const entries = await readCentralDirectory(path, handle, size, what);
      return new ZipReader(path, handle, size, entries);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Read and, where needed, inflate one member; checks its CRC-32. */
  async read(entry: ZipEntry): Promise<Uint8Array> {
    const { path, handle } = this;
    if (entry.flags & 1) throw fail(path, `zip member "${entry.name}" is encrypted`);
    if (entry.localHeaderOffset + 30 > this.size) throw fail(path, `zip member "${entry.name}" lies beyond the end of the file`);
    const local = await readAt(handle, path, 30, entry.localHeaderOffset);
    const dv = new DataView(local.buffer);
    if (dv.getUint32(0, true) !== LOCAL_SIG) throw fail(path, `zip member "${entry.name}" has a corrupt local header`);
    const start = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
    if (start + entry.compressedSize > this.size) {
      throw fail(path, `zip member "${entry.name}" runs past the end of the file (file truncated?)`);
    }
    const raw = await readAt(handle, path, entry.compressedSize, start);
    let data: Uint8Array;
    if (entry.method === 0) {
      data = raw;
    } else if (entry.method === 8) {
      try {
        data = inflateSync(raw, { out: new Uint8Array(entry.size) });
      } catch (e) {
        throw fail(path, `zip member "${entry.name}" cannot be inflated (${(e as Error).message})`, e);
      }
    } else {
      throw fail(path, `zip member "${entry.name}" uses compression method ${entry.method}, which is not supported`);
    }
    if (data.byteLength !== entry.size) {
      throw fail(path, `zip member "${entry.name}" has ${data.byteLength} bytes, its directory entry says ${entry.size}`);
    }
    if (crc32(data) !== entry.crc32) throw fail(path, `zip member "${entry.name}" is corrupt (CRC-32 mismatch)`);
    return data;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function readCentralDirectory(path: string, handle: FileHandle, size: number, what: string): Promise<Map<string, ZipEntry>> {
  const notZip = (why: string) => fail(path, `not a ${what}: ${why}`);
  if (size < 22) throw notZip(`the file is too short (${size} bytes) to be a zip archive`);
  const tailLen = Math.min(size, 22 + 0xffff + 20);
  const tailStart = size - tailLen;
  const tail = await readAt(handle, path, tailLen, tailStart);
  const tv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notZip('no zip end-of-central-directory record (file truncated or not a zip)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) throw notZip('multi-disk zip archives are not supported');
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tv.getUint32(loc, true) !== ZIP64_LOCATOR_SIG) throw notZip('ZIP64 locator missing');
    const recAt = u64(tv, loc + 8);
    if (recAt + 56 > size) throw notZip('ZIP64 end-of-central-directory record out of range');
    const rec = await readAt(handle, path, 56, recAt);
    const rv = new DataView(rec.buffer);
    if (rv.getUint32(0, true) !== ZIP64_EOCD_SIG) throw notZip('corrupt ZIP64 end-of-central-directory record');
    count = u64(rv, 32);
    cdSize = u64(rv, 40);
    cdOffset = u64(rv, 48);
  }
  if (cdOffset + cdSize > size) throw notZip('the central directory lies beyond the end of the file (file truncated?)');
  const cd = await readAt(handle, path, cdSize, cdOffset);
  const dv = new DataView(cd.buffer);
  const names = new TextDecoder('utf-8');
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cdSize || dv.getUint32(at, true) !== CENTRAL_SIG) throw notZip('corrupt central directory');
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    const crc = dv.getUint32(at + 16, true);
    let compressedSize = dv.getUint32(at + 20, true);
    let uncompressed = dv.getUint32(at + 24, true);
    const nameLen = dv.getUint16(at + 28, true);
    const extraLen = dv.getUint16(at + 30, true);
    const commentLen = dv.getUint16(at + 32, true);
    let localOffset = dv.getUint32(at + 42, true);
    if (at + 46 + nameLen + extraLen + commentLen > cdSize) throw notZip('corrupt central directory');
    const name = names.decode(cd.subarray(at + 46, at + 46 + nameLen));
    // ZIP64 extended information: the 64-bit values of the fields set to 0xffffffff, in order.
    let x = at + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = dv.getUint16(x, true);
      const len = dv.getUint16(x + 2, true);
      if (id === 0x0001) {
        let p = x + 4;
        const next = (): number => {
          if (p + 8 > x + 4 + len) throw notZip(`corrupt ZIP64 field for "${name}"`);
          const v = u64(dv, p);
          p += 8;
          return v;
        };
        if (uncompressed === 0xffffffff) uncompressed = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localOffset === 0xffffffff) localOffset = next();
      }
      x += 4 + len;
    }
    entries.set(name, { name, method, flags, crc32: crc, compressedSize, size: uncompressed, localHeaderOffset: localOffset });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}
