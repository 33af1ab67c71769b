// npm run bench, row 7: the Pi OS packages stage (sysroot-packages and the ARMv6 runtime) against
// the test bed's loopback mirror: InRelease + index fetch and verify, resolution, .deb download
// and verify, unpack; cold (empty tool cache) vs warm (same tool cache), and what stays cached.
// Its own file so other rows merge beside it; bench.mjs hands in its helpers and row().
import * as fs from 'node:fs';
import * as path from 'node:path';

const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

function duBytes(dir) {
  let n = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) n += fs.statSync(p).size;
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return n;
}

const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;

/**
 * Two cases, each cold then warm in one tool cache: `pi4, pi2` with the three packages of
 * fixtures/hello-sys (gcc), and `pi-zero` with the runtime only (zig is not needed: the stage
 * runs before the build). cargo is given a flag it refuses, so each run ends right after the
 * stage and only the stage is timed (from the log's ::group:: span).
 */
export async function benchSysroot(b) {
  const { runAction, runnerDirs, row, details, secs, progress, median } = b;
  const mirrorDir = path.join(b.testHome, 'sysroot-mirror');
  if (!fs.existsSync(path.join(mirrorDir, 'debian/dists/bookworm/InRelease')))
    throw new Error(`no sysroot mirror at ${mirrorDir}: run 'sudo bash scripts/setup-test-env.sh'`);
  const mirror = await b.startFileServer(mirrorDir, { tree: true });
  try {
    const cases = [
      {
        id: '7a',
        what: "sysroot-packages 'libssl-dev libsqlite3-dev libdbus-1-dev' for pi4, pi2 (bookworm)",
        inputs: {
          target: 'pi4, pi2',
          'sysroot-packages': 'libssl-dev libsqlite3-dev libdbus-1-dev',
          'toolchain-url': `${b.server.url}/${b.multi.file}`,
          'toolchain-sha256': b.multi.sha256,
        },
      },
      {
        id: '7b',
        what: 'the ARMv6 runtime (libc6, libstdc++6) for pi-zero (bookworm), no packages',
        inputs: {
          target: 'pi-zero',
          // Skips the prebuilt-std check (there is no ARMv6 std here); cargo never gets that far.
          args: `${b.common.args} -Zbuild-std=std --bench-ends-here`,
          'toolchain-url': `${b.server.url}/${b.v7.file}`,
          'toolchain-sha256': b.v7.sha256,
        },
      },
    ];
    for (const c of cases) {
      progress(`7: ${c.what}`);
      const cold = [];
      const warm = [];
      let cached = 0;
      let coldBytes = 0;
      let warmBytes = 0;
      let steps = '';
      for (let i = 0; i < b.RUNS; i++) {
        const d = runnerDirs(b.root, `sysroot-${c.id}-${i}`);
        const run = async () => {
          const before = mirror.served.bytes;
          const r = await runAction(
            {
              ...b.common,
              ...c.inputs,
              'working-directory': 'hello',
              'sysroot-mirror': mirror.url,
              'sysroot-keyring': DEBIAN_KEYRING,
              'smoke-test': 'x',
              args: c.inputs.args ?? `${b.common.args} --bench-ends-here`,
            },
            b.ws,
            d,
            { allowFail: true },
          );
          const span = r.spans.find(([n]) => n === 'Pi OS packages');
          if (!span) throw new Error(`no "Pi OS packages" group in the log of ${c.id}`);
          const line = r.lines
            .map(([l]) => l)
            .filter((l) => / InRelease \d+ ms, indexes \d+ ms/.test(l))
            .join('; ');
          return { ms: span[2] - span[1], bytes: mirror.served.bytes - before, line };
        };
        const c1 = await run();
        const w1 = await run();
        cold.push(c1.ms);
        warm.push(w1.ms);
        coldBytes = c1.bytes;
        warmBytes = w1.bytes;
        if (i === 0) steps = `cold: ${c1.line}\n\nwarm: ${w1.line}`;
        cached = duBytes(path.join(d.toolCache, 'rpi-cross-sysroot'));
        fs.rmSync(d.base, { recursive: true, force: true });
      }
      const cm = median(cold);
      const wm = median(warm);
      row(
        c.id,
        `Pi OS packages stage, cold vs warm: ${c.what}`,
        secs(cm),
        secs(wm),
        (cm / wm).toFixed(1),
        `served ${mib(coldBytes)} cold, ${mib(warmBytes)} warm; tool cache ${mib(cached)}`,
        '— (info)',
        [],
      );
      details.push(`**Row ${c.id}**, the action's own step timings (first run):\n\n${steps}`);
    }
  } finally {
    await mirror.close();
  }
}
