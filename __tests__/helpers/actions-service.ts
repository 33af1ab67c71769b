/**
 * Loopback fake of GitHub's Actions "results" service, enough for the real, unmodified
 * @actions/artifact 6 and @actions/cache 6 (cache service v2) clients:
 *   POST /twirp/github.actions.results.api.v1.{ArtifactService,CacheService}/<Method>
 *   PUT/GET on the signed blob URLs those calls hand out (Azure block-blob subset).
 * It records what it received and can inject faults per operation.
 *
 * Usage: const service = await startActionsService();
 *        Object.assign(process.env, service.env());   // then run the real client
 *        service.unzip('my-artifact').get('file')      // what the service received
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArtifactStore, ARTIFACT_METHODS, type ArtifactMethod } from './artifact-store.js';
import type { StoredArtifact } from './artifact-store.js';
import { BlobSink, BLOB_ROOT, azureError, blobOp, type BlobOp } from './blob-sink.js';
import { CacheStore, CACHE_METHODS, type CacheEntry, type CacheMethod } from './cache-store.js';
import { TwirpError, authFromHeader, codeForStatus, parseBody, runtimeToken } from './twirp.js';
import { uuidFrom, type Body } from './twirp.js';
import { readZip, type ZipEntry } from './zip-reader.js';

export type { StoredArtifact, CacheEntry, ZipEntry, ArtifactMethod, CacheMethod, BlobOp };
export { DUPLICATE_ARTIFACT_MSG } from './artifact-store.js';
export { DUPLICATE_CACHE_MSG } from './cache-store.js';

/** Anything a fault can be injected into: a Twirp method or a blob operation. */
export type ServiceOp = ArtifactMethod | CacheMethod | BlobOp;

export interface RequestRecord {
  method: string;
  path: string;
  op?: ServiceOp;
  /** Set when the response has been sent. */
  status?: number;
  /** Parsed JSON body of Twirp calls. */
  body?: Body;
}

export interface ActionsService {
  /** http://127.0.0.1:<port> */
  url: string;
  /**
   * Environment that points the real clients here. `runId` is GITHUB_RUN_ID; the token's backend
   * run id derives from it, so two env()s with the same runId (and different `job`s) act like two
   * matrix jobs of one workflow run and share its artifact names.
   */
  env(runId?: string, job?: string): Record<string, string>;
  /** Finalized artifacts by name. */
  artifacts: Map<string, StoredArtifact>;
  cacheEntries: CacheEntry[];
  requests: RequestRecord[];
  /** When set, every CacheService call answers with this HTTP status (cache "down"). */
  cacheStatus: number | undefined;
  /** Entries of the zip the service received for an artifact. */
  unzip(name: string): Map<string, ZipEntry>;
  /** The next `count` calls of `op` answer `status` (default once). */
  failNext(op: ServiceOp, status: number, count?: number): void;
  failAlways(op: ServiceOp, status: number): void;
  clearFaults(): void;
  /** Requests received for one operation (retries included). */
  calls(op: ServiceOp): RequestRecord[];
  close(): Promise<void>;
}

const TWIRP_ROUTE =
  /^\/twirp\/github\.actions\.results\.api\.v1\.(ArtifactService|CacheService)\/(\w+)$/;

function opFor(method: string | undefined, url: URL): ServiceOp | undefined {
  const twirp = TWIRP_ROUTE.exec(url.pathname);
  if (!twirp) return blobOp(method, url);
  const name = twirp[2] ?? '';
  const table: readonly string[] = twirp[1] === 'CacheService' ? CACHE_METHODS : ARTIFACT_METHODS;
  return table.includes(name) ? (name as ServiceOp) : undefined;
}

function isCacheMethod(op: ServiceOp | undefined): op is CacheMethod {
  return (CACHE_METHODS as readonly string[]).includes(op ?? '');
}

function isArtifactMethod(op: ServiceOp | undefined): op is ArtifactMethod {
  return (ARTIFACT_METHODS as readonly string[]).includes(op ?? '');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(json),
  });
  res.end(json);
}

function sendTwirpError(res: ServerResponse, err: unknown): void {
  const e = err instanceof TwirpError ? err : new TwirpError('internal', String(err));
  sendJson(res, e.status, { code: e.code, msg: e.message });
}

class Faults {
  private readonly pending = new Map<ServiceOp, { status: number; remaining: number }>();

  add(op: ServiceOp, status: number, remaining: number): void {
    this.pending.set(op, { status, remaining });
  }

  clear(): void {
    this.pending.clear();
  }

  /** The status to fail this call with, consuming one use. */
  take(op: ServiceOp | undefined): number | undefined {
    const fault = op ? this.pending.get(op) : undefined;
    if (!fault || fault.remaining <= 0) return undefined;
    fault.remaining--;
    return fault.status;
  }
}

export async function startActionsService(): Promise<ActionsService> {
  const blobs = new BlobSink();
  const artifactStore = new ArtifactStore(blobs);
  const cacheStore = new CacheStore(blobs);
  const faults = new Faults();
  const requests: RequestRecord[] = [];
  const state: { cacheStatus: number | undefined } = { cacheStatus: undefined };
  let origin = '';

  function twirp(req: IncomingMessage, res: ServerResponse, raw: Buffer, record: RequestRecord) {
    const { op } = record;
    try {
      if (req.method !== 'POST') throw new TwirpError('bad_route', 'Twirp requires POST');
      if (!req.headers['content-type']?.startsWith('application/json')) {
        throw new TwirpError('bad_route', 'only the JSON Twirp encoding is served');
      }
      const body = parseBody(raw);
      record.body = body;
      const auth = authFromHeader(req.headers.authorization);
      if (isArtifactMethod(op))
        return sendJson(res, 200, artifactStore.call(op, body, auth, origin));
      if (isCacheMethod(op)) return sendJson(res, 200, cacheStore.call(op, body, origin));
      throw new TwirpError('bad_route', `no such method: ${req.url ?? ''}`);
    } catch (err) {
      sendTwirpError(res, err);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const raw = await readBody(req);
    const op = opFor(req.method, url);
    const record: RequestRecord = { method: req.method ?? '', path: url.pathname, op };
    requests.push(record);
    res.on('finish', () => (record.status = res.statusCode));

    const injected = faults.take(op) ?? (isCacheMethod(op) ? state.cacheStatus : undefined);
    if (injected !== undefined && op !== undefined) {
      if (TWIRP_ROUTE.test(url.pathname)) {
        return sendJson(res, injected, {
          code: codeForStatus(injected),
          msg: `injected ${injected}`,
        });
      }
      return azureError(res, injected, 'ServerBusy', `injected ${injected}`);
    }
    if (TWIRP_ROUTE.test(url.pathname)) return twirp(req, res, raw, record);
    if (url.pathname.startsWith(BLOB_ROOT)) return blobs.handle(req, res, url, raw);
    sendJson(res, 404, { code: 'bad_route', msg: `no route ${req.method ?? ''} ${url.pathname}` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendTwirpError(res, err);
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  origin = `http://127.0.0.1:${address.port}`;

  return {
    url: origin,
    env: (runId = '4242', job = 'build') => serviceEnv(origin, runId, job),
    artifacts: artifactStore.artifacts,
    cacheEntries: cacheStore.entries,
    requests,
    get cacheStatus() {
      return state.cacheStatus;
    },
    set cacheStatus(status: number | undefined) {
      state.cacheStatus = status;
    },
    unzip(name) {
      const artifact = artifactStore.artifacts.get(name);
      if (!artifact) {
        const have = [...artifactStore.artifacts.keys()].join(', ') || 'none';
        throw new Error(`no finalized artifact named '${name}' (have: ${have})`);
      }
      return readZip(artifact.zip);
    },
    failNext: (op, status, count = 1) => faults.add(op, status, count),
    failAlways: (op, status) => faults.add(op, status, Number.POSITIVE_INFINITY),
    clearFaults: () => faults.clear(),
    calls: (op) => requests.filter((r) => r.op === op),
    close: () =>
      new Promise<void>((resolve) => {
        // The Azure SDK keeps sockets alive; without this close() waits for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serviceEnv(origin: string, runId: string, job: string): Record<string, string> {
  const token = runtimeToken({
    runBackendId: uuidFrom(`run:${runId}`),
    jobBackendId: uuidFrom(`job:${runId}:${job}`),
  });
  const noProxy = [process.env.NO_PROXY ?? process.env.no_proxy, '127.0.0.1', 'localhost'];
  return {
    ACTIONS_RESULTS_URL: `${origin}/`,
    ACTIONS_RUNTIME_TOKEN: token,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    // Keeps @actions/cache off the legacy v1 protocol.
    ACTIONS_CACHE_URL: '',
    // Any other host makes both clients take the GHES path (artifact: GHESNotSupportedError).
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'octo-org/rpi-app',
    GITHUB_RUN_ID: runId,
    GITHUB_RUN_ATTEMPT: '1',
    // @actions/http-client bypasses proxies for loopback itself; @azure/storage-blob does not.
    NO_PROXY: noProxy.filter(Boolean).join(','),
  };
}
