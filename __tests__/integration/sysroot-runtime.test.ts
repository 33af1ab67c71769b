/**
 * The ARMv6 runtime stage against the test bed's real signed mirror (Debian armhf under
 * `raspbian/`, so the verdict is cortex-a7), and what happens when the runtime cannot be had:
 * a warning, never a failed run, since only a sharper smoke run is lost.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LinkPlan } from '../../src/cargo/env.js';
import { parseInputs } from '../../src/inputs.js';
import type { Log } from '../../src/log.js';
import { prepareSysroots } from '../../src/sysroot/stage.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { TEST_HOME } from '../helpers/test-env.js';

const FIXTURES = path.join(TEST_HOME, 'sysroot-mirror');
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const V6 = 'arm-unknown-linux-gnueabihf';

let tmp: string;
let server: FileServer;

beforeAll(async () => {
  if (!fs.existsSync(path.join(FIXTURES, 'debian/dists/bookworm/InRelease')))
    throw new Error(`no sysroot mirror at ${FIXTURES}: run 'sudo bash scripts/setup-test-env.sh'`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sysroot-runtime-'));
  // A linked copy: one case removes a .deb without touching the shared fixtures.
  execFileSync('cp', ['-rs', FIXTURES, path.join(tmp, 'mirror')]);
  // cp -s links raspbian/ to the shared fixture's: point it at this copy's debian/ instead.
  fs.rmSync(path.join(tmp, 'mirror', 'raspbian'));
  fs.symlinkSync('debian', path.join(tmp, 'mirror', 'raspbian'));
  server = await startFileServer(tmp);
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function recordingLog(): Log & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings,
    infos,
    info: (m) => void infos.push(m),
    warning: (m) => void warnings.push(m),
    debug: () => {},
    group: (_n, fn) => fn(),
    untrusted: (fn) => fn(),
  };
}

async function stage(mirror: string, log: Log) {
  const toolCache = fs.mkdtempSync(path.join(tmp, 'tool-cache-'));
  const work = fs.mkdtempSync(path.join(tmp, 'work-'));
  const inputs = parseInputs(
    (n) =>
      ({
        target: 'pi-zero',
        'pi-os': 'bookworm',
        'sysroot-mirror': mirror,
        'sysroot-keyring': DEBIAN_KEYRING,
        cache: 'false',
      })[n as string] ?? '',
    tmp,
  );
  // The runtime does not depend on what links the binary.
  const plans = new Map<string, LinkPlan>([[V6, { kind: 'rust-lld' }]]);
  const qemus = new Map([['qemu-arm', '/usr/bin/qemu-arm-static']]);
  const out = await prepareSysroots(inputs, plans, qemus, {
    toolCacheDir: toolCache,
    workDir: work,
    log,
    zigRuntime: { node: process.execPath, entry: '/nonexistent' },
  });
  return { out, toolCache };
}

describe('the ARMv6 runtime', () => {
  test('is resolved in full, verified, unpacked, and judged by its loader: ARMv7 here', async () => {
    const log = recordingLog();
    const { out, toolCache } = await stage(`${server.url}/mirror`, log);
    const r = out.runtimes.get(V6);
    expect(r?.resolved.map((p) => p.split('=')[0]).sort()).toEqual([
      'gcc-12-base',
      'libc6',
      'libgcc-s1',
      'libstdc++6',
    ]);
    expect(r?.cpu).toBe('cortex-a7');
    expect(r?.origin).toBe('download');
    const libc = fs.realpathSync(path.join(r!.root, 'lib/arm-linux-gnueabihf/libc.so.6'));
    expect(libc.startsWith(path.join(toolCache, 'rpi-cross-sysroot'))).toBe(true);
    // The Raspberry Pi supplement is not on the mirror: skipped with its own warning.
    expect(log.warnings.filter((w) => w.startsWith(V6))).toEqual([
      expect.stringMatching(
        /^arm-unknown-linux-gnueabihf: smoke runs use qemu -cpu cortex-a7, not arm1176: the runtime libc6=2\.36-9\+deb12u\d+ from the Raspbian archive .* bookworm is not ARMv6 code \(ld-linux-armhf\.so\.3 has ARMv7 code/,
      ),
    ]);
    expect(out.sysroots.size).toBe(0);
  });

  test('a runtime .deb the mirror lacks is a warning, not a failed run', async () => {
    const pool = path.join(tmp, 'mirror/debian/pool/main/g/glibc');
    for (const f of fs.readdirSync(pool).filter((n) => /^libc6_2\.36.*_armhf\.deb$/.test(n)))
      fs.rmSync(path.join(pool, f));
    const log = recordingLog();
    const { out } = await stage(`${server.url}/mirror`, log);
    expect(out.runtimes.size).toBe(0);
    expect(log.warnings.filter((w) => w.startsWith(V6))).toEqual([
      expect.stringMatching(
        /^arm-unknown-linux-gnueabihf: the Pi OS runtime for smoke runs is not available \(package libc6 2\.36-9\+deb12u\d+ from the Raspbian archive .* is not there \(404\)/,
      ),
    ]);
  });

  test('an archive that is not there is a warning too', async () => {
    const log = recordingLog();
    const { out } = await stage(`${server.url}/no-mirror`, log);
    expect(out.runtimes.size).toBe(0);
    expect(log.warnings).toEqual([
      expect.stringMatching(
        /^arm-unknown-linux-gnueabihf: the Pi OS runtime for smoke runs is not available \(the Raspbian archive .* has no InRelease/,
      ),
    ]);
  });
});
