import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { Log } from '../../src/log.js';
import { ensureQemu } from '../../src/qemu.js';

// ensureQemu against a stand-in apt-get on PATH that really installs a file, as the runner's
// package manager would: what is proven is our lookup → install → lookup sequence.

const messages: string[] = [];
const log: Log = {
  info: (m) => messages.push(m),
  warning: (m) => messages.push(`warning: ${m}`),
  debug: () => undefined,
  group: (_n, fn) => fn(),
  untrusted: (fn) => fn(),
};

function fakeSystem(aptWorks: boolean): { pathEnv: string; bin: string; calls: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qemu-install-'));
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const calls = path.join(root, 'apt-calls');
  const apt = path.join(bin, 'apt-get');
  const install = aptWorks
    ? `printf '#!/bin/sh\\n' > "${bin}/qemu-aarch64-static"; chmod +x "${bin}/qemu-aarch64-static"`
    : 'exit 100';
  fs.writeFileSync(
    apt,
    `#!/bin/sh\necho "$@" >> "${calls}"\ncase "$1" in install) ${install};; esac\nexit 0\n`,
  );
  fs.chmodSync(apt, 0o755);
  return { pathEnv: bin, bin, calls };
}

describe('ensureQemu', () => {
  test('finds nothing and installs nothing when not asked to install', async () => {
    const sys = fakeSystem(true);
    const found = await ensureQemu(['qemu-aarch64'], sys.pathEnv, { install: false, log });
    expect(found.size).toBe(0);
    expect(fs.existsSync(sys.calls)).toBe(false);
  });

  test('installs qemu-user-static with apt-get when missing, then finds it', async () => {
    const sys = fakeSystem(true);
    const found = await ensureQemu(['qemu-aarch64'], sys.pathEnv, { install: true, log });
    expect(found.get('qemu-aarch64')).toBe(path.join(sys.bin, 'qemu-aarch64-static'));
    expect(fs.readFileSync(sys.calls, 'utf8')).toBe(
      'install -y -q --no-install-recommends qemu-user-static\n',
    );
  });

  test('a failing install is retried after apt-get update, then gives up quietly', async () => {
    const sys = fakeSystem(false);
    const found = await ensureQemu(['qemu-aarch64', 'qemu-arm'], sys.pathEnv, {
      install: true,
      log,
    });
    expect(found.size).toBe(0);
    expect(fs.readFileSync(sys.calls, 'utf8').split('\n').filter(Boolean)).toEqual([
      'install -y -q --no-install-recommends qemu-user-static',
      'update -q',
      'install -y -q --no-install-recommends qemu-user-static',
    ]);
  });

  test('an existing qemu is used as is', async () => {
    const sys = fakeSystem(true);
    fs.writeFileSync(path.join(sys.bin, 'qemu-arm'), '#!/bin/sh\n');
    fs.chmodSync(path.join(sys.bin, 'qemu-arm'), 0o755);
    const found = await ensureQemu(['qemu-arm'], sys.pathEnv, { install: true, log });
    expect(found.get('qemu-arm')).toBe(path.join(sys.bin, 'qemu-arm'));
    expect(fs.existsSync(sys.calls)).toBe(false);
  });
});
