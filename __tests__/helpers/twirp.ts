/**
 * Twirp JSON plumbing shared by the fake ArtifactService and CacheService. Error bodies must stay
 * JSON: the @actions clients JSON.parse every response and treat a SyntaxError as retryable,
 * which would turn a deliberate 4xx into 5 slow retries.
 */
import crypto from 'node:crypto';

export type TwirpCode =
  | 'invalid_argument'
  | 'malformed'
  | 'bad_route'
  | 'not_found'
  | 'already_exists'
  | 'permission_denied'
  | 'unauthenticated'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'internal'
  | 'unavailable'
  | 'unknown';

const STATUS: Record<TwirpCode, number> = {
  invalid_argument: 400,
  malformed: 400,
  bad_route: 404,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  unauthenticated: 401,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
  unknown: 500,
};

export class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return STATUS[this.code];
  }
}

/** The Twirp code a real server would pair with an HTTP status (used for injected faults). */
export function codeForStatus(status: number): TwirpCode {
  const found = (Object.keys(STATUS) as TwirpCode[]).find((code) => STATUS[code] === status);
  return found ?? 'unknown';
}

export type Body = Record<string, unknown>;

export function parseBody(raw: Buffer): Body {
  let parsed: unknown;
  try {
    parsed = raw.length ? JSON.parse(raw.toString('utf8')) : {};
  } catch {
    throw new TwirpError('malformed', 'request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TwirpError('malformed', 'request body is not a JSON object');
  }
  return parsed as Body;
}

/** protobuf-ts sends int64 and wrapper types as JSON strings; both forms are accepted. */
export function str(body: Body, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

export function strList(body: Body, field: string): string[] {
  const value = body[field];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Backend ids the runtime token carries in its `Actions.Results:<run>:<job>` scope. */
export interface Auth {
  runBackendId: string;
  jobBackendId: string;
}

/** A UUID-shaped id derived from a seed, so the same GITHUB_RUN_ID always maps to one run. */
export function uuidFrom(seed: string): string {
  const h = crypto.createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * An unsigned JWT: the artifact client only base64-decodes the payload (jwt-decode) and reads
 * `scp`; the cache client reads nothing from it.
 */
export function runtimeToken(auth: Auth): string {
  const enc = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    scp: `Actions.GenericRead:${auth.runBackendId} Actions.Results:${auth.runBackendId}:${auth.jobBackendId}`,
    iat: now,
    exp: now + 3600,
  };
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(payload)}.`;
}

export function authFromHeader(header: string | undefined): Auth {
  const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
  const payload = token?.split('.')[1];
  if (!payload) throw new TwirpError('unauthenticated', 'missing or malformed bearer token');
  let scp: unknown;
  try {
    scp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Body).scp;
  } catch {
    throw new TwirpError('unauthenticated', 'token payload is not JSON');
  }
  const scope = String(scp ?? '')
    .split(' ')
    .find((s) => s.startsWith('Actions.Results:'));
  const [, runBackendId, jobBackendId] = scope?.split(':') ?? [];
  if (!runBackendId || !jobBackendId) {
    throw new TwirpError('permission_denied', 'token has no Actions.Results scope');
  }
  return { runBackendId, jobBackendId };
}
