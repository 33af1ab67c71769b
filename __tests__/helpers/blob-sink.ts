/**
 * The subset of the Azure Blob REST API that @azure/storage-blob's BlockBlobClient uses behind
 * the signed URLs the results service hands out: Put Block, Put Block List, Put Blob and GET.
 * Responses mimic Azure (201 on writes, XML errors with x-ms-error-code) because the SDK's
 * retry and error handling key off them.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export type BlobOp = 'PutBlock' | 'PutBlockList' | 'PutBlob' | 'GetBlob';

interface StoredBlob {
  data?: Buffer;
  contentType: string;
  /** Staged blocks by id; committed in block-list order, not arrival order (uploads are concurrent). */
  blocks: Map<string, Buffer>;
  etag: string;
}

export const BLOB_ROOT = '/devaccount/';

export function blobOp(method: string | undefined, url: URL): BlobOp | undefined {
  if (!url.pathname.startsWith(BLOB_ROOT)) return undefined;
  if (method === 'GET' || method === 'HEAD') return 'GetBlob';
  if (method !== 'PUT') return undefined;
  const comp = url.searchParams.get('comp');
  return comp === 'block' ? 'PutBlock' : comp === 'blocklist' ? 'PutBlockList' : 'PutBlob';
}

export function azureError(res: ServerResponse, status: number, code: string, msg: string): void {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${msg}</Message></Error>`;
  res.writeHead(status, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-ms-error-code': code,
    'x-ms-request-id': crypto.randomUUID(),
  });
  res.end(body);
}

export class BlobSink {
  private readonly blobs = new Map<string, StoredBlob>();
  private readonly secret = crypto.randomBytes(32);

  /** A SAS-shaped URL (sv, se, sr, sp, sig) so the SDK treats it like a real one. */
  signedUrl(origin: string, key: string, perms: 'cw' | 'r'): string {
    const path = `${BLOB_ROOT}${key}`;
    const se = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const q = new URLSearchParams({ sv: '2024-11-04', se, sr: 'b', sp: perms });
    q.set('sig', this.sign(perms, se, path));
    return `${origin}${path}?${q.toString()}`;
  }

  get(key: string): { data: Buffer; contentType: string } | undefined {
    const blob = this.blobs.get(`${BLOB_ROOT}${key}`);
    return blob?.data ? { data: blob.data, contentType: blob.contentType } : undefined;
  }

  delete(key: string): void {
    this.blobs.delete(`${BLOB_ROOT}${key}`);
  }

  handle(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): void {
    const op = blobOp(req.method, url);
    const problem = this.checkSignature(url, op === 'GetBlob' ? 'r' : 'w');
    if (problem || !op) {
      azureError(res, 403, 'AuthenticationFailed', problem ?? 'unsupported blob operation');
      return;
    }
    if (op === 'GetBlob') return this.read(req, res, url.pathname);
    const blob = this.blobs.get(url.pathname) ?? this.create(url.pathname);
    if (op === 'PutBlock') {
      const id = url.searchParams.get('blockid');
      if (!id) return azureError(res, 400, 'InvalidQueryParameterValue', 'blockid missing');
      blob.blocks.set(id, body);
      return this.created(res, blob);
    }
    const type = header(req, 'x-ms-blob-content-type');
    if (op === 'PutBlob') {
      if (header(req, 'x-ms-blob-type') !== 'BlockBlob') {
        return azureError(res, 400, 'MissingRequiredHeader', 'x-ms-blob-type: BlockBlob required');
      }
      return this.created(res, this.commit(blob, body, type));
    }
    const ids = [
      ...body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g),
    ];
    const parts: Buffer[] = [];
    for (const [, , id = ''] of ids) {
      const part = blob.blocks.get(id);
      if (!part) return azureError(res, 400, 'InvalidBlockList', `block ${id} was not staged`);
      parts.push(part);
    }
    this.created(res, this.commit(blob, Buffer.concat(parts), type));
  }

  private create(path: string): StoredBlob {
    const blob: StoredBlob = {
      contentType: 'application/octet-stream',
      blocks: new Map(),
      etag: '',
    };
    this.blobs.set(path, blob);
    return blob;
  }

  private commit(blob: StoredBlob, data: Buffer, contentType: string | undefined): StoredBlob {
    blob.data = data;
    blob.contentType = contentType ?? blob.contentType;
    blob.blocks.clear();
    blob.etag = `"0x${crypto.randomBytes(8).toString('hex').toUpperCase()}"`;
    return blob;
  }

  private created(res: ServerResponse, blob: StoredBlob): void {
    res.writeHead(201, {
      'Content-Length': 0,
      ETag: blob.etag || '"0x0"',
      'Last-Modified': new Date().toUTCString(),
      'x-ms-request-id': crypto.randomUUID(),
      'x-ms-request-server-encrypted': 'true',
    });
    res.end();
  }

  private read(req: IncomingMessage, res: ServerResponse, path: string): void {
    const blob = this.blobs.get(path);
    if (!blob?.data)
      return azureError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
    res.writeHead(200, {
      'Content-Type': blob.contentType,
      'Content-Length': blob.data.length,
      ETag: blob.etag,
      'x-ms-blob-type': 'BlockBlob',
      'x-ms-request-id': crypto.randomUUID(),
    });
    res.end(req.method === 'HEAD' ? undefined : blob.data);
  }

  private sign(perms: string, se: string, path: string): string {
    return crypto
      .createHmac('sha256', this.secret)
      .update(`${perms}\n${se}\n${path}`)
      .digest('base64');
  }

  private checkSignature(url: URL, need: 'r' | 'w'): string | undefined {
    const sp = url.searchParams.get('sp') ?? '';
    const se = url.searchParams.get('se') ?? '';
    // Some SDK versions drop the base64 '=' padding when they rebuild the URL; accept both.
    const got = (url.searchParams.get('sig') ?? '').replace(/=+$/, '');
    if (got !== this.sign(sp, se, url.pathname).replace(/=+$/, ''))
      return 'Signature did not match';
    if (!(Date.parse(se) > Date.now())) return 'Signed expiry time has passed';
    if (!sp.includes(need)) return `Permission '${need}' not granted by sp=${sp}`;
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
