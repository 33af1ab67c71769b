/**
 * The fake ArtifactService: Gitea's strict semantics (blob assembled before finalize, size and
 * sha256 checked at finalize, only finalized artifacts listed) plus GitHub's 409 text on a
 * duplicate name within a workflow run.
 */
import crypto from 'node:crypto';
import type { BlobSink } from './blob-sink.js';
import { TwirpError, str, type Auth, type Body } from './twirp.js';

export type ArtifactMethod =
  | 'CreateArtifact'
  | 'FinalizeArtifact'
  | 'ListArtifacts'
  | 'GetSignedArtifactURL'
  | 'DeleteArtifact';

export const ARTIFACT_METHODS: readonly ArtifactMethod[] = [
  'CreateArtifact',
  'FinalizeArtifact',
  'ListArtifacts',
  'GetSignedArtifactURL',
  'DeleteArtifact',
];

/** What a finalized upload left on the service. */
export interface StoredArtifact {
  id: number;
  name: string;
  /** The uploaded bytes (a zip unless the client used skipArchive). */
  zip: Buffer;
  size: number;
  /** `sha256:<hex>` of the uploaded bytes, as the client reported and the service verified. */
  digest: string;
  mimeType: string;
  runBackendId: string;
  jobBackendId: string;
  expiresAt?: string;
}

interface ArtifactRecord extends Auth {
  id: number;
  name: string;
  blobKey: string;
  mimeType: string;
  expiresAt?: string;
  finalized: boolean;
  deleted: boolean;
}

/** GitHub's wording; clients and users match on it. */
export const DUPLICATE_ARTIFACT_MSG =
  'an artifact with this name already exists on the workflow run';

export class ArtifactStore {
  /** Finalized, not deleted artifacts by name (the latest upload wins across runs). */
  readonly artifacts = new Map<string, StoredArtifact>();
  private readonly records: ArtifactRecord[] = [];
  private nextId = 1000;

  constructor(private readonly blobs: BlobSink) {}

  call(method: ArtifactMethod, body: Body, auth: Auth, origin: string): Body {
    checkRun(body, auth);
    switch (method) {
      case 'CreateArtifact':
        return this.create(body, auth, origin);
      case 'FinalizeArtifact':
        return this.finalize(body, auth);
      case 'ListArtifacts':
        return this.list(body, auth);
      case 'GetSignedArtifactURL':
        return { signedUrl: this.blobs.signedUrl(origin, this.find(body, auth).blobKey, 'r') };
      case 'DeleteArtifact':
        return this.remove(body, auth);
    }
  }

  private create(body: Body, auth: Auth, origin: string): Body {
    const name = str(body, 'name');
    if (!name) throw new TwirpError('invalid_argument', 'name is required');
    if (Number(body.version ?? 0) < 4)
      throw new TwirpError('invalid_argument', 'unsupported version');
    if (
      this.records.some(
        (r) => r.runBackendId === auth.runBackendId && r.name === name && !r.deleted,
      )
    ) {
      throw new TwirpError('already_exists', DUPLICATE_ARTIFACT_MSG);
    }
    const mimeType = str(body, 'mime_type') ?? 'application/zip';
    const id = this.nextId++;
    const file = mimeType === 'application/zip' ? `${name}.zip` : name;
    const blobKey = `actions-results/${auth.runBackendId}/${id}/${encodeURIComponent(file)}`;
    const expiresAt = str(body, 'expires_at');
    this.records.push({
      ...auth,
      id,
      name,
      blobKey,
      mimeType,
      expiresAt,
      finalized: false,
      deleted: false,
    });
    return { ok: true, signedUploadUrl: this.blobs.signedUrl(origin, blobKey, 'cw') };
  }

  private finalize(body: Body, auth: Auth): Body {
    const rec = this.records.find(
      (r) => r.runBackendId === auth.runBackendId && r.name === str(body, 'name') && !r.deleted,
    );
    if (!rec) throw new TwirpError('not_found', 'artifact not found');
    if (rec.finalized) throw new TwirpError('failed_precondition', 'artifact already finalized');
    const blob = this.blobs.get(rec.blobKey);
    if (!blob) throw new TwirpError('failed_precondition', 'artifact content was never committed');
    const size = Number(str(body, 'size') ?? 0);
    if (size !== blob.data.length) {
      throw new TwirpError('invalid_argument', `size ${size} != uploaded ${blob.data.length}`);
    }
    const digest = `sha256:${crypto.createHash('sha256').update(blob.data).digest('hex')}`;
    const hash = str(body, 'hash');
    if (hash !== undefined && hash !== digest) {
      throw new TwirpError('invalid_argument', `hash ${hash} != uploaded ${digest}`);
    }
    rec.finalized = true;
    const { id, name, mimeType, runBackendId, jobBackendId, expiresAt } = rec;
    const stored = { id, name, mimeType, runBackendId, jobBackendId, expiresAt, size, digest };
    this.artifacts.set(name, { ...stored, zip: blob.data });
    return { ok: true, artifactId: String(id) };
  }

  private list(body: Body, auth: Auth): Body {
    const nameFilter = str(body, 'name_filter');
    const idFilter = str(body, 'id_filter');
    const artifacts = this.records
      .filter((r) => r.runBackendId === auth.runBackendId && r.finalized && !r.deleted)
      .filter((r) => nameFilter === undefined || r.name === nameFilter)
      .filter((r) => idFilter === undefined || String(r.id) === idFilter)
      .map((r) => {
        const stored = this.artifacts.get(r.name);
        return {
          workflowRunBackendId: r.runBackendId,
          workflowJobRunBackendId: r.jobBackendId,
          databaseId: String(r.id),
          name: r.name,
          size: String(stored?.size ?? 0),
          createdAt: new Date().toISOString(),
          digest: stored?.digest,
        };
      });
    return { artifacts };
  }

  private remove(body: Body, auth: Auth): Body {
    const rec = this.find(body, auth);
    rec.deleted = true;
    this.artifacts.delete(rec.name);
    this.blobs.delete(rec.blobKey);
    return { ok: true, artifactId: String(rec.id) };
  }

  private find(body: Body, auth: Auth): ArtifactRecord {
    const rec = this.records.find(
      (r) =>
        r.runBackendId === auth.runBackendId &&
        r.name === str(body, 'name') &&
        r.finalized &&
        !r.deleted,
    );
    if (!rec) throw new TwirpError('not_found', 'artifact not found');
    return rec;
  }
}

/** The run in the body must be the token's run, as on the real service. */
function checkRun(body: Body, auth: Auth): void {
  if (str(body, 'workflow_run_backend_id') !== auth.runBackendId) {
    throw new TwirpError('permission_denied', 'workflow_run_backend_id does not match the token');
  }
}
