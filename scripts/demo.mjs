// npm run demo: installs what is missing (scripts/setup-test-env.sh), then cross-builds
// fixtures/hello-c for the Pi 4 (aarch64) and Pi 2 (armv7) through dist/index.js exactly as a
// workflow would (on the Node of action.yml's `runs.using`), runs each binary under qemu with the
// board's CPU model, and prints the result.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionNode } from './action-node.mjs';
import { ensureDevEnv } from './dev-env.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const home = process.env.RPI_TEST_HOME ?? '/opt/rust-rpi-cross-test';
const toolchains = path.join(home, 'toolchains');

ensureDevEnv(repo);
const node = actionNode(repo);

const server = http.createServer((req, res) => {
  const file = path.join(toolchains, path.basename(decodeURIComponent(req.url ?? '')));
  if (!fs.existsSync(file)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-length': fs.statSync(file).size });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'rpi demo '));
const ws = path.join(root, 'workspace');
fs.cpSync(path.join(repo, 'fixtures'), ws, { recursive: true });

const boards = [
  { target: 'pi4', gnu: 'aarch64-linux-gnu', qemu: 'qemu-aarch64-static', cpu: 'cortex-a72' },
  { target: 'pi2', gnu: 'arm-linux-gnueabihf', qemu: 'qemu-arm-static', cpu: 'cortex-a7' },
];
let failed = 0;
for (const b of boards) {
  const file = `${b.gnu}-gcc12-debian12.tar.gz`;
  const sha = fs.readFileSync(path.join(toolchains, `${file}.sha256`), 'utf8').split(/\s+/)[0];
  const outFile = path.join(root, `output-${b.target}`);
  fs.writeFileSync(outFile, '');
  const inputs = {
    target: b.target,
    'pi-os': 'bookworm',
    'rust-toolchain': process.env.RPI_TEST_RUST_TOOLCHAIN ?? 'debian-web',
    'working-directory': 'hello-c',
    'toolchain-url': `${base}/${file}`,
    'toolchain-sha256': sha,
    cache: 'false',
    upload: 'false',
    args: `--config '${path.join(ws, 'debian-registry.toml')}'`,
  };
  const env = {
    ...process.env,
    GITHUB_WORKSPACE: ws,
    RUNNER_TEMP: path.join(root, 'temp'),
    RUNNER_TOOL_CACHE: path.join(root, 'tool cache'),
    GITHUB_OUTPUT: outFile,
    NO_PROXY: '127.0.0.1',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const t0 = Date.now();
  const code = await new Promise((r) =>
    spawn(node, [path.join(repo, 'dist', 'index.js')], { env, stdio: 'inherit' }).on('close', r),
  );
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (code !== 0) {
    console.log(`\nDEMO ${b.target}: the action failed (exit ${code}) after ${secs} s`);
    failed++;
    continue;
  }
  const outputs = fs.readFileSync(outFile, 'utf8');
  const binaries = JSON.parse(/binaries<<(\S+)\n([\s\S]*?)\n\1/.exec(outputs)[2]);
  const tc = JSON.parse(/toolchains<<(\S+)\n([\s\S]*?)\n\1/.exec(outputs)[2]);
  for (const bin of binaries) {
    const out = execFileSync(b.qemu, ['-cpu', b.cpu, '-L', path.join(tc[0].dir, b.gnu), bin.path], {
      encoding: 'utf8',
    }).trim();
    console.log(
      `\nDEMO ${b.target} (${bin.target}, built in ${secs} s) under ${b.qemu} -cpu ${b.cpu}:\n  ${out}`,
    );
  }
}
server.close();
console.log(
  failed
    ? `\n${failed} demo build(s) failed`
    : '\nAll demo binaries ran under qemu with their Pi CPU model.',
);
process.exit(failed ? 1 : 0);
