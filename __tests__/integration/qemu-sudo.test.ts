import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import type { Log } from '../../src/log.js';
import { ensureQemu } from '../../src/qemu.js';

// On a hosted runner the action is not root: apt-get must go through `sudo -n` there (and
// directly when root, where sudo may not exist). A stand-in sudo and apt-get on PATH record
// how they were called and really install a file; only the uid is faked, since the suite runs
// as root.

const log: Log = {
  info: () => undefined,
  warning: () => undefined,
  debug: () => undefined,
  group: (_n, fn) => fn(),
  untrusted: (fn) => fn(),
};
const savedPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = savedPath;
  jest.restoreAllMocks();
});

function fakeSystem() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qemu-sudo-'));
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const calls = path.join(root, 'calls');
  const script = (name: string, body: string) =>
    fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${calls}"\n${body}`, {
      mode: 0o755,
    });
  // -n: never prompt (a prompt would hang the step); then run the command as given.
  script('sudo', '[ "$1" = -n ] || exit 1\nshift\nexec "$@"\n');
  script(
    'apt-get',
    `case "$1" in install) printf '#!/bin/sh\\n' > "${bin}/qemu-arm-static"; chmod +x "${bin}/qemu-arm-static";; esac\n`,
  );
  // sudo is looked up on the process PATH, apt-get on the PATH the action searches.
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
  const lines = () => fs.readFileSync(calls, 'utf8').trim().split('\n');
  return { bin, lines };
}

describe('ensureQemu installs through sudo only when not root', () => {
  test('not root: sudo -n apt-get install', async () => {
    jest.spyOn(process, 'getuid').mockReturnValue(1001);
    const sys = fakeSystem();
    const found = await ensureQemu(['qemu-arm'], sys.bin, { install: true, log });
    expect(found.get('qemu-arm')).toBe(path.join(sys.bin, 'qemu-arm-static'));
    const apt = path.join(sys.bin, 'apt-get');
    expect(sys.lines()).toEqual([
      `sudo -n ${apt} install -y -q --no-install-recommends qemu-user-static`,
      'apt-get install -y -q --no-install-recommends qemu-user-static',
    ]);
  });

  test('root: apt-get directly, no sudo', async () => {
    jest.spyOn(process, 'getuid').mockReturnValue(0);
    const sys = fakeSystem();
    const found = await ensureQemu(['qemu-arm'], sys.bin, { install: true, log });
    expect(found.get('qemu-arm')).toBe(path.join(sys.bin, 'qemu-arm-static'));
    expect(sys.lines()).toEqual(['apt-get install -y -q --no-install-recommends qemu-user-static']);
  });
});
