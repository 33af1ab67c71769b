import { describe, expect, it } from '@jest/globals';
import * as openpgp from 'openpgp';
import { ARCHIVES, ARCHIVE_IDS, archiveBase, suiteSources } from '../../src/sysroot/archives.js';
import { assertHasKeys, bundledTrust, fingerprintOf, userTrust } from '../../src/sysroot/keys.js';
import { verifyInRelease } from '../../src/sysroot/release.js';
import { PI_OS, TARGETS } from '../../src/targets/table.js';

describe('archive facts', () => {
  it('aarch64 reads Debian (release, -updates, -security) and the Raspberry Pi archive', () => {
    const s = suiteSources('aarch64-unknown-linux-gnu', 'bookworm', null);
    expect(
      s.map(
        (x) =>
          `${x.base}/dists/${x.suite} ${x.components.join(',')} ${x.debArch}${x.optional ? ' optional' : ''}`,
      ),
    ).toEqual([
      'http://ftp.debian.org/debian/dists/bookworm main arm64',
      'http://ftp.debian.org/debian/dists/bookworm-updates main arm64',
      'http://security.debian.org/debian-security/dists/bookworm-security main arm64',
      'http://archive.raspberrypi.com/debian/dists/bookworm main arm64 optional',
    ]);
  });

  it('armv7 and ARMv6 read Raspbian, then the Raspberry Pi archive; the suite is the pi-os release', () => {
    for (const triple of ['armv7-unknown-linux-gnueabihf', 'arm-unknown-linux-gnueabihf']) {
      const s = suiteSources(triple, 'bullseye', null);
      expect(s.map((x) => [x.archive, x.suite, x.debArch, x.optional])).toEqual([
        ['raspbian', 'bullseye', 'armhf', false],
        ['raspberrypi', 'bullseye', 'armhf', true],
      ]);
      expect(s[0]?.components).toEqual(['main', 'contrib', 'non-free', 'rpi']);
    }
  });

  it('sysroot-mirror serves every archive under <url>/<archive>/', () => {
    for (const id of ARCHIVE_IDS) {
      expect(archiveBase(id, 'bookworm', 'http://127.0.0.1:8080/m/')).toBe(
        `http://127.0.0.1:8080/m/${id}`,
      );
    }
    const s = suiteSources('aarch64-unknown-linux-gnu', 'bookworm', 'https://mirror.example/pi');
    expect(new Set(s.map((x) => x.base))).toEqual(
      new Set([
        'https://mirror.example/pi/debian',
        'https://mirror.example/pi/debian-security',
        'https://mirror.example/pi/raspberrypi',
      ]),
    );
  });

  it('covers every Pi OS release and every glibc target of the target table', () => {
    expect(Object.keys(ARCHIVES.releases).sort()).toEqual(PI_OS.map((o) => o.name).sort());
    const gnu = TARGETS.filter((t) => t.libc === 'gnu').map((t) => t.triple);
    expect(Object.keys(ARCHIVES.targets).sort()).toEqual([...gnu].sort());
    for (const os of PI_OS)
      for (const t of gnu) expect(suiteSources(t, os.name, null).length).toBeGreaterThan(0);
  });

  it('refuses musl targets and unknown releases with the input to fix', () => {
    expect(() => suiteSources('aarch64-unknown-linux-musl', 'bookworm', null)).toThrow(
      /input 'sysroot-packages': aarch64-unknown-linux-musl is a musl target.*aarch64-unknown-linux-gnu/,
    );
    expect(() => suiteSources('aarch64-unknown-linux-gnu', 'jessie', null)).toThrow(
      /input 'pi-os'/,
    );
  });
});

describe('bundled keys', () => {
  it('hold exactly the pinned Debian fingerprints, from debian-archive-keyring', async () => {
    const t = await bundledTrust('debian');
    expect(t.keys.map(fingerprintOf).sort()).toEqual(
      [...ARCHIVES.keysets['debian']!.fingerprints].sort(),
    );
    // A second copy of the pins: the automatic signing keys seen on the real bookworm/bullseye/trixie InRelease.
    for (const f of [
      'B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8',
      '1F89983E0081FDE018F3CC9673A4F27B8DD47936',
      '04B54C3CDCA79751B16BC6B5225629DF75B188BD',
    ]) {
      expect(t.fingerprints.has(f)).toBe(true);
    }
  });

  it('pin the Pi archive fingerprints; without key material they say how to supply the key', async () => {
    expect(ARCHIVES.keysets['raspbian']!.fingerprints).toEqual([
      'A0DA38D0D76E8B5D638872819165938D90FDDD2E',
    ]);
    expect(ARCHIVES.keysets['raspberrypi']!.fingerprints).toEqual([
      'CF8A1AF502A2AA2D763BAE7E82B129927FA3303E',
    ]);
    const t = await bundledTrust('raspbian');
    expect(() => assertHasKeys(t, 'Raspbian archive', 'raspbian')).toThrow(
      /no signing key is bundled for the Raspbian archive.*A0DA38D0.*set 'sysroot-keyring'.*raspbian-archive-keyring/,
    );
  });

  it('a sysroot-keyring must be a keyring', async () => {
    await expect(userTrust(Buffer.from('hello'), 'k.gpg')).rejects.toThrow(
      /input 'sysroot-keyring': k.gpg is not an OpenPGP keyring/,
    );
  });
});

describe('InRelease verification', () => {
  const RELEASE = (extra = ''): string =>
    `Origin: Test\nCodename: bookworm\nSuite: stable\n${extra}Components: main\nArchitectures: arm64\nSHA256:\n ${'a'.repeat(64)} 10 main/binary-arm64/Packages\n`;

  async function key(name: string): Promise<{ priv: openpgp.PrivateKey; pub: openpgp.PublicKey }> {
    const k = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name }],
      format: 'object',
    });
    return { priv: k.privateKey, pub: k.publicKey };
  }
  const sign = async (text: string, ...keys: openpgp.PrivateKey[]): Promise<string> =>
    openpgp.sign({ message: await openpgp.createCleartextMessage({ text }), signingKeys: keys });

  it('accepts a good signature by a trusted key and refuses every kind of bad one', async () => {
    const a = await key('archive');
    const b = await key('other');
    const trust = await userTrust(a.pub.write(), 'a.gpg');
    const now = new Date();
    const good = await sign(RELEASE(), a.priv);
    const v = await verifyInRelease(good, trust, 'bookworm', now);
    expect(v.signers).toEqual([fingerprintOf(a.pub)]);
    expect(v.files.get('main/binary-arm64/Packages')?.size).toBe(10);

    await expect(
      verifyInRelease(
        good.replace('Components: main', 'Components: main evil'),
        trust,
        'bookworm',
        now,
      ),
    ).rejects.toThrow(/does not verify/);
    await expect(
      verifyInRelease(await sign(RELEASE(), b.priv), trust, 'bookworm', now),
    ).rejects.toThrow(/signed only by keys not in/);
    await expect(verifyInRelease(RELEASE(), trust, 'bookworm', now)).rejects.toThrow(
      /not a clear-signed/,
    );
    await expect(verifyInRelease(good, trust, 'bullseye', now)).rejects.toThrow(
      /signed for 'bookworm' \/ 'stable', not 'bullseye'/,
    );
    const past = new Date(now.getTime() - 3600e3).toUTCString().replace('GMT', 'UTC');
    await expect(
      verifyInRelease(
        await sign(RELEASE(`Valid-Until: ${past}\n`), a.priv),
        trust,
        'bookworm',
        now,
      ),
    ).rejects.toThrow(/expired .* \(Valid-Until\)/);
    const future = new Date(now.getTime() + 3600e3).toUTCString();
    await expect(
      verifyInRelease(
        await sign(RELEASE(`Valid-Until: ${future}\n`), a.priv),
        trust,
        'bookworm',
        now,
      ),
    ).resolves.toBeTruthy();
    // Unsigned text outside the signed part is never read.
    const smuggled = `${good}\nSHA256:\n ${'b'.repeat(64)} 10 main/binary-arm64/Packages\n`;
    const s = await verifyInRelease(smuggled, trust, 'bookworm', now);
    expect(s.files.get('main/binary-arm64/Packages')?.sha256).toBe('a'.repeat(64));
  });

  it('tolerates a clock a few minutes behind the signer, not hours', async () => {
    const a = await key('archive');
    const trust = await userTrust(a.pub.write(), 'a.gpg');
    const now = new Date();
    const signedAt = async (ms: number): Promise<string> =>
      openpgp.sign({
        message: await openpgp.createCleartextMessage({ text: RELEASE() }),
        signingKeys: a.priv,
        date: new Date(now.getTime() + ms),
      });
    await expect(
      verifyInRelease(await signedAt(5 * 60e3), trust, 'bookworm', now),
    ).resolves.toBeTruthy();
    await expect(
      verifyInRelease(await signedAt(3 * 3600e3), trust, 'bookworm', now),
    ).rejects.toThrow(/in the future/);
  });

  it('a key that is trusted but not pinned does not count (bundled sets are pinned)', async () => {
    const a = await key('archive');
    const trust = {
      keys: [a.pub],
      fingerprints: new Set(['0'.repeat(40)]),
      description: 'test keys',
      user: false,
    };
    await expect(
      verifyInRelease(await sign(RELEASE(), a.priv), trust, 'bookworm', new Date()),
    ).rejects.toThrow(/signed only by keys not in test keys/);
  });

  it('one bad signature by a held key fails the file even beside a good one', async () => {
    const a = await key('a');
    const b = await key('b');
    const text = RELEASE();
    const byA = await openpgp.readCleartextMessage({ cleartextMessage: await sign(text, a.priv) });
    const byBOther = await openpgp.readCleartextMessage({
      cleartextMessage: await sign(RELEASE('Label: other\n'), b.priv),
    });
    // The typings hide CleartextMessage's signature and constructor arguments; the runtime has them.
    type Signed = { signature: openpgp.Signature };
    const packets = new openpgp.PacketList<openpgp.SignaturePacket>();
    packets.push(
      ...(byA as unknown as Signed).signature.packets,
      ...(byBOther as unknown as Signed).signature.packets,
    );
    const Cleartext = openpgp.CleartextMessage as unknown as new (
      text: string,
      sig: openpgp.Signature,
    ) => openpgp.CleartextMessage;
    const mixed = new Cleartext(text, new openpgp.Signature(packets)).armor();
    const both = await userTrust(Buffer.concat([a.pub.write(), b.pub.write()]), 'ab.gpg');
    await expect(verifyInRelease(mixed, both, 'bookworm', new Date())).rejects.toThrow(
      new RegExp(`does not verify \\(${fingerprintOf(b.pub)}`),
    );
    // A signature by a key not held is ignored, as gpgv's NO_PUBKEY beside a GOODSIG.
    const onlyA = await userTrust(a.pub.write(), 'a.gpg');
    await expect(verifyInRelease(mixed, onlyA, 'bookworm', new Date())).resolves.toMatchObject({
      signers: [fingerprintOf(a.pub)],
    });
  });
});
