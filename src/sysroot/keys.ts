/**
 * The trust roots: OpenPGP keys bundled from the keyring packages (keys.json, shipped inside
 * dist/ with the bundle) filtered to the fingerprints pinned in archives.json, or a user's
 * `sysroot-keyring` for a mirror that re-signs.
 */
import * as fs from 'node:fs';
import * as openpgp from 'openpgp';
import bundled from './keys.json' with { type: 'json' };
import { ARCHIVES } from './archives.js';
import { ActionError, InputError, errorMessage } from '../errors.js';

interface BundledKeyring {
  source: string;
  base64: string;
}

const KEYRINGS = (bundled as { keyrings: Record<string, BundledKeyring[]> }).keyrings;

export interface Trust {
  readonly keys: readonly openpgp.PublicKey[];
  /** Primary-key fingerprints (upper-case hex) a signature must come from. */
  readonly fingerprints: ReadonlySet<string>;
  /** Where the keys came from, for error messages. */
  readonly description: string;
  /** True for a user's `sysroot-keyring` (the fix then is that file, not the bundled keys). */
  readonly user: boolean;
}

/** A keyring file as apt takes it: binary (`.gpg`) or ASCII-armored (`.asc`), any number of keys. */
export async function readKeyring(bytes: Uint8Array): Promise<openpgp.PublicKey[]> {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  if (head.includes('-----BEGIN PGP')) {
    return openpgp.readKeys({ armoredKeys: Buffer.from(bytes).toString('utf8') });
  }
  return openpgp.readKeys({ binaryKeys: bytes });
}

export const fingerprintOf = (k: openpgp.PublicKey): string => k.getFingerprint().toUpperCase();

const cache = new Map<string, Promise<Trust>>();

/** The bundled keys of one keyset, only those whose fingerprint is pinned. */
export function bundledTrust(keyset: string): Promise<Trust> {
  let t = cache.get(keyset);
  if (!t) {
    t = loadBundled(keyset);
    cache.set(keyset, t);
  }
  return t;
}

async function loadBundled(keyset: string): Promise<Trust> {
  const set = ARCHIVES.keysets[keyset];
  if (!set) throw new Error(`internal: no keyset '${keyset}'`);
  const pinned = new Set(set.fingerprints.map((f) => f.toUpperCase()));
  const keys: openpgp.PublicKey[] = [];
  for (const ring of KEYRINGS[keyset] ?? []) {
    for (const k of await readKeyring(Buffer.from(ring.base64, 'base64'))) {
      if (pinned.has(fingerprintOf(k))) keys.push(k);
    }
  }
  return {
    keys,
    fingerprints: pinned,
    description: `the bundled ${set.package} keys`,
    user: false,
  };
}

/** `sysroot-keyring`: every key in the file is trusted, for every archive. */
export async function userTrust(bytes: Uint8Array, file: string): Promise<Trust> {
  let keys: openpgp.PublicKey[];
  try {
    keys = await readKeyring(bytes);
  } catch (err) {
    throw new InputError(
      'sysroot-keyring',
      `${file} is not an OpenPGP keyring (${errorMessage(err)}); give a binary (.gpg) or armored (.asc) public keyring`,
    );
  }
  if (keys.length === 0) {
    throw new InputError('sysroot-keyring', `${file} holds no public key`);
  }
  return {
    keys,
    fingerprints: new Set(keys.map(fingerprintOf)),
    description: `the keys of sysroot-keyring ${file}`,
    user: true,
  };
}

/** The `sysroot-keyring` file, read: the stage and the missing-library hint both trust it. */
export async function keyringTrust(file: string): Promise<Trust> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ActionError(
      `cannot read 'sysroot-keyring' ${file}: ${errorMessage(err)}`,
      'sysroot-packages',
    );
  }
  return userTrust(bytes, file);
}

/** Key files by name, kept between runs; what is read back is filtered by the pins again. */
export interface KeyCache {
  get(name: string): Buffer | null;
  put(name: string, body: Buffer): void;
}

/** The pinned keys among `bytes`; a file that is not a keyring holds none. */
async function pinnedKeys(
  bytes: Uint8Array,
  pinned: ReadonlySet<string>,
): Promise<openpgp.PublicKey[]> {
  try {
    return (await readKeyring(bytes)).filter((k) => pinned.has(fingerprintOf(k)));
  } catch {
    return [];
  }
}

/**
 * A keyset with no bundled key (the Pi archives'): its published key, from the key cache or
 * `url`, kept only if its fingerprint is pinned. What fails says where the key was looked for
 * and how to supply it instead.
 */
export async function publishedTrust(
  keyset: string,
  url: string,
  fetch: (url: string) => Promise<Buffer | null>,
  cache?: KeyCache,
): Promise<Trust> {
  const set = ARCHIVES.keysets[keyset];
  if (!set) throw new Error(`internal: no keyset '${keyset}'`);
  const pinned = new Set(set.fingerprints.map((f) => f.toUpperCase()));
  const trust = (keys: openpgp.PublicKey[]): Trust => ({
    keys,
    fingerprints: pinned,
    description: `the ${set.package} key published at ${url}`,
    user: false,
  });
  const cached = cache?.get(keyset);
  if (cached) {
    const keys = await pinnedKeys(cached, pinned);
    if (keys.length > 0) return trust(keys);
  }
  const supply = `set 'sysroot-keyring' to that package's keyring file (/usr/share/keyrings/${set.package}.gpg on a Pi)`;
  let body: Buffer | null;
  try {
    body = await fetch(url);
  } catch (err) {
    throw new ActionError(
      `no signing key is bundled for keyset ${keyset} (${[...pinned].join(', ')}) and its published key cannot be fetched: ${errorMessage(err)}; ${supply}`,
      'sysroot-packages',
    );
  }
  if (!body) {
    throw new ActionError(
      `no signing key is bundled for keyset ${keyset} (${[...pinned].join(', ')}) and ${url} is not there (404); ${supply}`,
      'sysroot-packages',
    );
  }
  let all: openpgp.PublicKey[];
  try {
    all = await readKeyring(body);
  } catch (err) {
    throw new ActionError(
      `${url} is not an OpenPGP key (${errorMessage(err)}); ${supply}`,
      'sysroot-packages',
    );
  }
  const keys = all.filter((k) => pinned.has(fingerprintOf(k)));
  if (keys.length === 0) {
    throw new ActionError(
      `the key at ${url} has fingerprint ${all.map(fingerprintOf).join(', ') || '(none)'}, not the pinned ${[...pinned].join(', ')} of ${set.package}: it is refused; ${supply}`,
      'sysroot-packages',
    );
  }
  cache?.put(keyset, body);
  return trust(keys);
}

/** No key material for a pinned keyset (none bundled, none published): say what to do. */
export function assertHasKeys(trust: Trust, archiveLabel: string, keyset: string): void {
  if (trust.keys.length > 0) return;
  const set = ARCHIVES.keysets[keyset];
  throw new ActionError(
    `no signing key is bundled for the ${archiveLabel} (its keyring package ${set?.package} pins ${[...trust.fingerprints].join(', ')}); set 'sysroot-keyring' to that package's keyring file (/usr/share/keyrings/${set?.package}.gpg on a Pi)`,
    'sysroot-packages',
  );
}
