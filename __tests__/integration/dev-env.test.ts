/**
 * The developer scripts a fresh clone relies on: the apt-source reading that keeps mirror hosts
 * out of the repository, the repository itself being free of registry hosts, and npm test's
 * pretest check of node_modules.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { staleDependencies } from '../../scripts/dev-env.mjs';
import { REPO } from '../helpers/test-env.js';

const POOLS = path.join(REPO, 'scripts', 'apt-pool-urls.sh');

function pools(etc: string, env: Record<string, string> = {}): string[] {
  const out = execFileSync('bash', [POOLS], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, APT_ETC: etc, ...env },
  });
  return out.split('\n').filter(Boolean);
}

describe('scripts/apt-pool-urls.sh: the pool URLs of the machine’s own apt sources', () => {
  const etc = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-apt-etc-'));
  fs.mkdirSync(path.join(etc, 'sources.list.d'));
  fs.writeFileSync(
    path.join(etc, 'sources.list.d', 'debian.sources'),
    [
      '# a comment',
      'Types: deb deb-src',
      'URIs: http://mirror-a.example/debian/',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb',
      'URIs: https://mirror-b.example/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      '',
      'Types: deb',
      'Enabled: no',
      'URIs: http://disabled-stanza.example/debian',
      'Suites: bookworm',
      '',
      'Types: deb-src',
      'URIs: http://source-only.example/debian',
      'Suites: bookworm',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(etc, 'sources.list'),
    '# deb http://commented.example/debian bookworm main\n' +
      'deb [arch=amd64 signed-by=/k.gpg] http://mirror-c.example/debian bookworm main\n' +
      'deb http://mirror-c.example/debian-security bookworm-security main\n' +
      'deb-src http://mirror-c.example/debian bookworm main\n' +
      'deb cdrom:[Debian 12]/ bookworm main\n',
  );
  // apt reads neither of these: nor may the script.
  fs.writeFileSync(
    path.join(etc, 'sources.list.d', 'old.list.disabled'),
    'deb http://disabled-file.example/debian bookworm main\n',
  );
  fs.writeFileSync(
    path.join(etc, 'sources.list.d', 'x.sources.bak'),
    'Types: deb\nURIs: http://backup-file.example/debian\nSuites: bookworm\n',
  );

  test('deb822 and one-line sources, security pools under pool/updates, disabled ones left out', () => {
    expect(pools(etc)).toEqual([
      'http://mirror-c.example/debian/pool/main',
      'http://mirror-c.example/debian-security/pool/updates/main',
      'http://mirror-a.example/debian/pool/main',
      'https://mirror-b.example/debian-security/pool/updates/main',
    ]);
  });

  test('DEBIAN_MIRROR overrides the sources', () => {
    expect(pools(etc, { DEBIAN_MIRROR: 'http://override.example/' })).toEqual([
      'http://override.example/debian-security/pool/updates/main',
      'http://override.example/debian/pool/main',
    ]);
  });

  test('no sources at all: nothing, and setup-test-env.sh says to set DEBIAN_MIRROR', () => {
    expect(pools(fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-apt-empty-')))).toEqual([]);
    expect(fs.readFileSync(path.join(REPO, 'scripts', 'setup-test-env.sh'), 'utf8')).toMatch(
      /no http\(s\) deb source in .*set DEBIAN_MIRROR=<origin>/,
    );
  });
});

/** Hosts of the package registries this machine uses, read from its own apt and npm config. */
function machineRegistryHosts(): string[] {
  const hosts = new Set<string>();
  for (const u of pools('/etc/apt')) hosts.add(new URL(u).hostname);
  const npm = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' });
  if (npm.status === 0 && /^https?:\/\//.test(npm.stdout.trim())) {
    hosts.add(new URL(npm.stdout.trim()).hostname);
  }
  hosts.delete('127.0.0.1');
  hosts.delete('localhost');
  return [...hosts];
}

// The public defaults of the two registries this machine and CI use, known only by their sha256
// so that this file does not name them either: Debian's redirector and npm's registry. The
// Debian archive origins the action itself fetches sysroot packages from on GitHub's runners
// (its primary FTP host, the security and archive hosts, in src/sysroot/archives.json) are the
// product's data, which the Pi OS packages issue names, not the machine's registries.
const DEFAULT_HOST_SHA256 = new Set([
  'e680c440a2e92079ab1bf7a927e8d3920f1bcd173c0487e28e020110b2e59efc',
  '0dc11026ac75c015aaa1deafff4a7a54ef6d0cf6b3c7f9b1d2c8f3502929aa9e',
]);

test('no file of the repository names a package registry host (the lockfile included)', () => {
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter(
      (f) => f && fs.existsSync(path.join(REPO, f)) && fs.statSync(path.join(REPO, f)).isFile(),
    );
  expect(files).toContain('package-lock.json');
  const machine = machineRegistryHosts();
  const found: string[] = [];
  const seen = new Map<string, boolean>();
  for (const f of files) {
    const text = fs.readFileSync(path.join(REPO, f), 'latin1').toLowerCase();
    for (const h of machine)
      if (text.includes(h)) found.push(`${f}: a host of this machine's registries`);
    for (const m of text.matchAll(/[a-z0-9-]+(?:\.[a-z0-9-]+)+/g)) {
      const t = m[0];
      let bad = seen.get(t);
      if (bad === undefined) {
        bad = DEFAULT_HOST_SHA256.has(crypto.createHash('sha256').update(t).digest('hex'));
        seen.set(t, bad);
      }
      if (bad) found.push(`${f}: a public registry host at offset ${m.index}`);
    }
  }
  expect(found).toEqual([]);
});

test('the project’s npm config keeps registry URLs out of the lockfile', () => {
  expect(fs.readFileSync(path.join(REPO, '.npmrc'), 'utf8')).toMatch(
    /^omit-lockfile-registry-resolved=true$/m,
  );
  expect(fs.readFileSync(path.join(REPO, 'package-lock.json'), 'utf8')).not.toMatch(/"resolved"/);
});

describe('scripts/dev-env.mjs (npm test’s pretest) sees what npm ci must bring in', () => {
  const repo = (installed: Record<string, string>): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-dev-env-'));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ dependencies: { a: '1.0.0' }, devDependencies: { '@s/b': '^2.0.0' } }),
    );
    fs.writeFileSync(
      path.join(dir, 'package-lock.json'),
      JSON.stringify({
        packages: {
          'node_modules/a': { version: '1.0.0' },
          'node_modules/@s/b': { version: '2.1.0' },
        },
      }),
    );
    for (const [name, version] of Object.entries(installed)) {
      fs.mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'node_modules', name, 'package.json'),
        JSON.stringify({ version }),
      );
    }
    return dir;
  };

  test('a fresh clone (no node_modules): every dependency', () => {
    expect(staleDependencies(repo({}))).toEqual(['a', '@s/b']);
  });
  test('a dependency of another version than the locked one', () => {
    expect(staleDependencies(repo({ a: '1.0.0', '@s/b': '2.0.9' }))).toEqual(['@s/b']);
  });
  test('all there: nothing to do (and this checkout is complete)', () => {
    expect(staleDependencies(repo({ a: '1.0.0', '@s/b': '2.1.0' }))).toEqual([]);
    expect(staleDependencies(REPO)).toEqual([]);
  });
});
