/**
 * Decompression of index files and .deb members. xz goes through xz-decompress (wasm inlined, so
 * it bundles; the research found xzwasm silently corrupts output, which is why every index is also
 * checked after decompression), zstd through node:zlib (Node 22.15+/24, the action's runtime).
 */
import zlib from 'node:zlib';
import * as xzModule from 'xz-decompress';

export type Compression = 'xz' | 'gz' | 'zst' | 'none';

/** 'Packages.xz' / 'data.tar.zst' → its compression; null for one we cannot read (bz2, lzma). */
export function compressionOf(name: string): Compression | null {
  if (name.endsWith('.xz')) return 'xz';
  if (name.endsWith('.gz')) return 'gz';
  if (name.endsWith('.zst')) return 'zst';
  if (/(^|\/)(Packages|data\.tar|control\.tar)$/.test(name)) return 'none';
  return null;
}

type ZstdSync = (buf: Uint8Array) => Buffer;

export function zstdAvailable(): boolean {
  return (
    typeof (zlib as unknown as { zstdDecompressSync?: ZstdSync }).zstdDecompressSync === 'function'
  );
}

type XzModule = typeof import('xz-decompress');

/**
 * The UMD bundle's class sits under `default` in node's ESM (jest) but at the top in ncc's bundle
 * (where the default import is undefined, found when running the bundle): take either.
 */
function xzStream(): XzModule['XzReadableStream'] {
  const m = xzModule as unknown as Partial<XzModule> & { default?: Partial<XzModule> };
  const cls = m.XzReadableStream ?? m.default?.XzReadableStream;
  if (!cls) throw new Error('internal: xz-decompress exports no XzReadableStream');
  return cls;
}

export async function decompress(data: Uint8Array, kind: Compression): Promise<Buffer> {
  switch (kind) {
    case 'none':
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    case 'gz':
      return zlib.gunzipSync(data);
    case 'xz': {
      const stream = new (xzStream())(new Blob([data as Uint8Array<ArrayBuffer>]).stream());
      return Buffer.from(await new Response(stream).arrayBuffer());
    }
    case 'zst': {
      const fn = (zlib as unknown as { zstdDecompressSync?: ZstdSync }).zstdDecompressSync;
      if (!fn) {
        throw new Error(
          `zstd needs Node 22.15 or later (this is ${process.version}); the action's node24 runtime has it`,
        );
      }
      return fn(data);
    }
  }
}
