/**
 * Ships packaged files as workflow artifacts with @actions/artifact and turns its failures into
 * messages that name the input to change.
 */

export interface UploadItem {
  name: string;
  files: string[];
  /** Paths inside the artifact are relative to this directory. */
  rootDirectory: string;
}

export interface UploadOptions {
  retentionDays?: number;
  /** Defaults: GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID. */
  serverUrl?: string;
  repository?: string;
  runId?: string;
}

export interface UploadedArtifact {
  name: string;
  id: number;
  /** The artifact's page; '' when the repository or run id is unknown. */
  url: string;
  size: number;
}

/** The part of @actions/artifact's ArtifactClient used here, so tests can substitute it. */
export interface ArtifactClientLike {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number },
  ): Promise<{ id?: number; size?: number; digest?: string }>;
}

/** Characters the artifact service rejects in a name (checked before anything is uploaded). */
const FORBIDDEN_IN_NAME = /[":<>|*?\r\n\\/]/;

function validate(items: UploadItem[]): void {
  const seen = new Set<string>();
  for (const { name, files } of items) {
    if (!name.trim() || FORBIDDEN_IN_NAME.test(name)) {
      throw new Error(
        `Artifact name '${name}' is not allowed: it must be non-empty and free of " : < > | * ? \\ / and line breaks; check artifact-name`,
      );
    }
    if (seen.has(name)) {
      throw new Error(
        `artifact-name renders to '${name}' for more than one upload, and artifact names must be unique in a workflow run; include {target} in artifact-name`,
      );
    }
    if (files.length === 0) throw new Error(`Nothing to upload for artifact '${name}'`);
    seen.add(name);
  }
}

function describeFailure(name: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  // The client reports "Failed request: (409) Conflict: an artifact with this name already exists…"
  if (/\(409\)|already exists/i.test(message)) {
    return new Error(
      `Artifact '${name}' already exists in this workflow run; another job (probably another matrix job) uploaded one with the same name. Include {target} or the matrix key in artifact-name. (${message})`,
      { cause: err },
    );
  }
  return new Error(`Uploading artifact '${name}' failed after retries: ${message}`, { cause: err });
}

function artifactUrl(opts: UploadOptions, id: number): string {
  const server = (opts.serverUrl ?? process.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(
    /\/+$/,
    '',
  );
  const repository = opts.repository ?? process.env.GITHUB_REPOSITORY;
  const runId = opts.runId ?? process.env.GITHUB_RUN_ID;
  if (!repository || !runId) return '';
  return `${server}/${repository}/actions/runs/${runId}/artifacts/${id}`;
}

/**
 * Uploads each item as one artifact, in order. There is deliberately no retry loop here: the
 * client already retries each call (5 attempts for the Twirp calls, the Azure SDK's policy for
 * the blob), and re-running a whole upload after CreateArtifact succeeded would only hit 409.
 */
export async function uploadArtifacts(
  items: UploadItem[],
  opts: UploadOptions = {},
  client?: ArtifactClientLike,
): Promise<UploadedArtifact[]> {
  validate(items);
  // @actions/artifact is the largest dependency; runs that upload nothing never load it.
  const artifacts = client ?? new (await import('@actions/artifact')).DefaultArtifactClient();
  const uploaded: UploadedArtifact[] = [];
  for (const item of items) {
    let result: { id?: number; size?: number };
    try {
      const options = opts.retentionDays ? { retentionDays: opts.retentionDays } : {};
      result = await artifacts.uploadArtifact(item.name, item.files, item.rootDirectory, options);
    } catch (err) {
      throw describeFailure(item.name, err);
    }
    if (result.id === undefined) {
      throw new Error(`Uploading artifact '${item.name}' returned no artifact id`);
    }
    const url = artifactUrl(opts, result.id);
    uploaded.push({ name: item.name, id: result.id, url, size: result.size ?? 0 });
  }
  return uploaded;
}
