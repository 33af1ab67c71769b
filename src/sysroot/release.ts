/**
 * InRelease trust, as apt does it: a clear-signed Release whose signature verifies against a
 * pinned key, not past its Valid-Until, for the suite that was asked for. Only the signed text is
 * ever parsed.
 */
import * as openpgp from 'openpgp';
import { parseRelease, type ReleaseInfo } from './deb822.js';
import { fingerprintOf, type Trust } from './keys.js';
import { errorMessage } from '../errors.js';

export class ReleaseError extends Error {
  constructor(
    message: string,
    /** Valid-Until has passed (the signature itself was good). */
    readonly expired = false,
  ) {
    super(message);
  }
}

/** How far ahead of this machine's clock a signature's creation time may be. */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface VerifiedRelease extends ReleaseInfo {
  /** Primary fingerprints of the keys whose signatures verified. */
  signers: string[];
}

/**
 * Verifies `text` (an InRelease file) against `trust` at `now`. Throws ReleaseError with the
 * reason; the caller adds the archive and the fix.
 */
export async function verifyInRelease(
  text: string,
  trust: Trust,
  suite: string,
  now: Date,
): Promise<VerifiedRelease> {
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: text });
  } catch (err) {
    throw new ReleaseError(`it is not a clear-signed OpenPGP message (${errorMessage(err)})`);
  }
  const result = await openpgp.verify({
    message,
    verificationKeys: [...trust.keys],
    // openpgp refuses a signature made after `date`; a runner clock a little behind the archive's
    // signing machine must not fail an InRelease signed minutes ago.
    date: new Date(now.getTime() + CLOCK_SKEW_MS),
    expectSigned: false,
  });
  const good: string[] = [];
  const bad: string[] = [];
  const unknown: string[] = [];
  for (const sig of result.signatures) {
    const key = trust.keys.find((k) => k.getKeys(sig.keyID).length > 0);
    if (!key) {
      unknown.push(sig.keyID.toHex().toUpperCase());
      continue;
    }
    try {
      await sig.verified;
      const fpr = fingerprintOf(key);
      if (trust.fingerprints.has(fpr)) good.push(fpr);
      else unknown.push(fpr);
    } catch (err) {
      bad.push(`${fingerprintOf(key)}: ${errorMessage(err)}`);
    }
  }
  // As gpgv under apt: one bad signature by a key we hold fails the file, even beside a good one.
  if (bad.length > 0) throw new ReleaseError(`its signature does not verify (${bad.join('; ')})`);
  if (good.length === 0) {
    throw new ReleaseError(
      unknown.length
        ? `it is signed only by keys not in ${trust.description} (${unknown.join(', ')})`
        : 'it carries no signature',
    );
  }
  let info: ReleaseInfo;
  try {
    info = parseRelease(result.data);
  } catch (err) {
    throw new ReleaseError(errorMessage(err));
  }
  if (info.validUntil && info.validUntil.getTime() < now.getTime()) {
    throw new ReleaseError(
      `it expired at ${info.validUntil.toISOString()} (Valid-Until): the mirror serves a stale copy`,
      true,
    );
  }
  const names = [info.fields['Codename'], info.fields['Suite']].filter(Boolean);
  const codename = suite.split('/')[0];
  if (!names.includes(suite) && !names.includes(codename)) {
    throw new ReleaseError(
      `it is signed for '${names.join("' / '")}', not '${suite}' (a mirror serving another release under this name)`,
    );
  }
  return { ...info, signers: good };
}
