// Builds the three bundles (the action, the zig wrappers' program, the CLI) side by side: each
// is its own ncc run over mostly the same modules, and one after another they took over a minute.
// dist/ starts empty because ncc leaves the previous build's numbered chunks behind.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NCC = path.join(REPO, 'node_modules', '.bin', 'ncc');

const builds = [
  ['src/index.ts', 'dist', '--license', 'licenses.txt'],
  ['src/zig/wrapper-main.ts', 'dist/zig-wrapper'],
  ['src/cli/index.ts', 'dist/cli', '--license', 'licenses.txt'],
];

process.chdir(REPO);
fs.rmSync('dist', { recursive: true, force: true });
const ncc = (entry, out, ...rest) =>
  new Promise((resolve) => {
    const child = spawn(NCC, ['build', entry, '-o', out, ...rest], { stdio: 'inherit' });
    child.on('error', (err) => resolve(`${entry}: ${err.message}`));
    child.on('exit', (code, signal) =>
      resolve(code === 0 ? null : `${entry}: ncc exited ${code ?? signal}`),
    );
  });
const failed = (await Promise.all(builds.map((b) => ncc(...b)))).filter(Boolean);
for (const f of failed) console.error(f);
process.exit(failed.length ? 1 : 0);
