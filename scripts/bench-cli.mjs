// npm run bench, row 5: what the CLI (dist/cli/index.js) adds to a warm `cargo build`. Its own
// file so other rows merge beside it; bench.mjs hands in its helpers and the report's row().
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `export NAME=value` lines as the CLI's env prints them for sh (plain or single-quoted). */
export function parseExports(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2];
    env[m[1]] = v.startsWith("'") ? v.slice(1, -1).replace(/'\\''/g, "'") : v;
  }
  return env;
}

/**
 * The CLI's `build --target pi4` on fixtures/hello with the toolchain already in its cache, vs a
 * bare `cargo build` with the exports `rust-rpi-cross env` printed; both after touching main.rs,
 * in alternating order, median of `RUNS`.
 */
export async function benchCli(b) {
  const { exec, median, secs, plus, touch, row, details, fmtRuns, progress, tail } = b;
  const crate = path.join(b.ws, 'hello');
  const main = path.join(crate, 'src', 'main.rs');
  const cache = path.join(b.root, 'cli-cache');
  const tmp = path.join(b.root, 'cli-tmp');
  fs.mkdirSync(tmp, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    RUSTUP_HOME: process.env.RUSTUP_HOME,
    CARGO_HOME: process.env.CARGO_HOME,
    XDG_CACHE_HOME: cache,
    TMPDIR: tmp,
    NO_PROXY: '127.0.0.1,localhost',
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const flags = [
    '--target=pi4',
    `--rust-toolchain=${b.RUST}`,
    '--pi-os=bookworm',
    `--toolchain-url=${b.server.url}/${b.a64.file}`,
    `--toolchain-sha256=${b.a64.sha256}`,
  ];
  const cli = async (args) => {
    const r = await exec(process.execPath, [b.CLI, ...args], { cwd: crate, env });
    if (r.code !== 0)
      throw new Error(`rust-rpi-cross ${args[0]} failed (exit ${r.code}):\n${tail(r.stderr)}`);
    return r;
  };
  const build = () => cli(['build', '--quiet', ...flags, `--args=--config '${b.REGISTRY}'`]);
  progress('  CLI warm-up (untimed): downloads the toolchain into its cache dir');
  await build();
  const exported = parseExports((await cli(['env', ...flags])).stdout);
  const cargoArgs = ['build', '--release', '--target', 'aarch64-unknown-linux-gnu'];
  const bare = async () => {
    const r = await exec('cargo', [...cargoArgs, '--config', b.REGISTRY], {
      cwd: crate,
      env: { ...env, ...exported },
    });
    if (r.code !== 0) throw new Error(`bare cargo failed:\n${tail(r.stderr)}`);
    return r.ms;
  };
  touch(main);
  await bare(); // untimed: whatever differs from the CLI's build is rebuilt once, here
  const withCli = [];
  const cargo = [];
  for (let i = 0; i < b.RUNS; i++) {
    progress(`  CLI run ${i + 1}/${b.RUNS}`);
    for (const which of i % 2 ? ['cargo', 'cli'] : ['cli', 'cargo']) {
      touch(main);
      if (which === 'cli') withCli.push((await build()).ms);
      else cargo.push(await bare());
    }
  }
  const a = median(withCli);
  const c = median(cargo);
  row(
    '5',
    'CLI warm overhead, hello: rust-rpi-cross build --target pi4 (cache warm; verify, strip, package) vs bare cargo build with the exports of rust-rpi-cross env',
    secs(a),
    secs(c),
    (a / c).toFixed(2),
    plus(a - c),
    '— (info)',
    [],
  );
  details.push(
    `5. CLI runs (s): rust-rpi-cross build ${fmtRuns(withCli)}; bare cargo ${fmtRuns(cargo)}`,
  );
}
