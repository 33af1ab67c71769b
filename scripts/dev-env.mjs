// Brings in what `npm test` and `npm run demo` need on a fresh clone, and costs well under a
// second when all is there (npm test runs it as its pretest on every run, .ci/run included):
//   1. the offline test bed: scripts/setup-test-env.sh (idempotent; root only when it has to
//      install something, and it says so);
//   2. the dev dependencies: `npm ci` when a package the lockfile pins for package.json is
//      missing from node_modules or is of another version (jest, the action's Node 24, …).
// Only Node's own modules here: it runs before node_modules exists.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The direct dependencies whose installed version is not the locked one (or is absent). */
export function staleDependencies(repo) {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  return names.filter((name) => {
    const want = lock.packages?.[`node_modules/${name}`]?.version;
    try {
      const file = path.join(repo, 'node_modules', name, 'package.json');
      return JSON.parse(fs.readFileSync(file, 'utf8')).version !== want;
    } catch {
      return true;
    }
  });
}

export function ensureDevEnv(repo) {
  execFileSync('bash', [path.join(repo, 'scripts', 'setup-test-env.sh')], { stdio: 'inherit' });
  const stale = staleDependencies(repo);
  if (stale.length === 0) return;
  const shown = stale.slice(0, 5).join(', ') + (stale.length > 5 ? `, … (${stale.length})` : '');
  console.log(`[dev-env] node_modules lacks ${shown}: npm ci`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    ensureDevEnv(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
  } catch (e) {
    // The failing command has already said why on stderr: no stack trace on top of it.
    console.error(`[dev-env] ${e.message.split('\n')[0]}`);
    process.exit(1);
  }
}
