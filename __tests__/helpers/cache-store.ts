/**
 * The fake CacheService (v2). Matching follows the documented actions/cache rules: only entries
 * with the same version count; for the key and then each restore key, an exact match wins, else
 * the newest entry whose key starts with it. One scope only: tests here do not model branches.
 */
import type { BlobSink } from './blob-sink.js';
import { TwirpError, str, strList, type Body } from './twirp.js';

export type CacheMethod =
  'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'GetCacheEntryDownloadURL';

export const CACHE_METHODS: readonly CacheMethod[] = [
  'CreateCacheEntry',
  'FinalizeCacheEntryUpload',
  'GetCacheEntryDownloadURL',
];

export interface CacheEntry {
  id: number;
  key: string;
  /** sha256 of the cached paths + compression method; save and restore must agree on it. */
  version: string;
  size: number;
  finalized: boolean;
  blobKey: string;
  /** Insertion order: "newest" for prefix matches without trusting clock resolution. */
  seq: number;
}

/** GitHub's wording; @actions/cache turns the 409 into ReserveCacheError. */
export const DUPLICATE_CACHE_MSG =
  'cache entry with the same key, version, and scope already exists';

export class CacheStore {
  readonly entries: CacheEntry[] = [];
  private nextId = 1;
  private seq = 0;

  constructor(private readonly blobs: BlobSink) {}

  call(method: CacheMethod, body: Body, origin: string): Body {
    switch (method) {
      case 'CreateCacheEntry':
        return this.create(body, origin);
      case 'FinalizeCacheEntryUpload':
        return this.finalize(body);
      case 'GetCacheEntryDownloadURL':
        return this.lookup(body, origin);
    }
  }

  private create(body: Body, origin: string): Body {
    const key = str(body, 'key');
    const version = str(body, 'version');
    if (!key || !version) throw new TwirpError('invalid_argument', 'key and version are required');
    const same = (e: CacheEntry): boolean => e.key === key && e.version === version;
    if (this.entries.some((e) => same(e) && e.finalized)) {
      throw new TwirpError('already_exists', DUPLICATE_CACHE_MSG);
    }
    // A reservation left by a failed save must not block the retry.
    const stale = this.entries.findIndex((e) => same(e) && !e.finalized);
    if (stale >= 0) this.entries.splice(stale, 1);
    const id = this.nextId++;
    const blobKey = `actions-cache/${id}/cache.tzst`;
    this.entries.push({ id, key, version, size: 0, finalized: false, blobKey, seq: this.seq++ });
    return { ok: true, signedUploadUrl: this.blobs.signedUrl(origin, blobKey, 'cw') };
  }

  private finalize(body: Body): Body {
    const entry = this.entries.find(
      (e) => e.key === str(body, 'key') && e.version === str(body, 'version') && !e.finalized,
    );
    if (!entry) throw new TwirpError('not_found', 'cache entry was not reserved');
    const blob = this.blobs.get(entry.blobKey);
    if (!blob) throw new TwirpError('failed_precondition', 'cache archive was never uploaded');
    const size = Number(str(body, 'size_bytes') ?? 0);
    if (size !== blob.data.length) {
      throw new TwirpError('invalid_argument', `size ${size} != uploaded ${blob.data.length}`);
    }
    Object.assign(entry, { finalized: true, size, seq: this.seq++ });
    return { ok: true, entryId: String(entry.id) };
  }

  private lookup(body: Body, origin: string): Body {
    const version = str(body, 'version');
    const candidates = this.entries
      .filter((e) => e.finalized && e.version === version)
      .sort((a, b) => b.seq - a.seq);
    const keys = [str(body, 'key') ?? '', ...strList(body, 'restore_keys')].filter(Boolean);
    for (const key of keys) {
      const hit =
        candidates.find((e) => e.key === key) ?? candidates.find((e) => e.key.startsWith(key));
      if (hit) {
        const signedDownloadUrl = this.blobs.signedUrl(origin, hit.blobKey, 'r');
        return { ok: true, signedDownloadUrl, matchedKey: hit.key };
      }
    }
    return { ok: false };
  }
}
