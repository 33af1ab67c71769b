/**
 * The program behind the CC/CXX/AR/RANLIB/linker wrappers the action writes for zig (bundled
 * on its own to dist/zig-wrapper/index.js, so a compiler call does not load the action). The
 * `#!/bin/sh` wrapper passes its config file and the compiler's arguments; nothing here goes
 * through a shell.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { zigCommand, type WrapperConfig } from './command.js';

function main(argv: readonly string[]): number {
  const [configPath, ...args] = argv;
  if (!configPath) {
    process.stderr.write('rust-rpi-cross zig wrapper: no config file given\n');
    return 2;
  }
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as WrapperConfig;
  if (process.env.RPI_CROSS_ZIG_LOG)
    fs.appendFileSync(process.env.RPI_CROSS_ZIG_LOG, `${JSON.stringify([config.tool, ...args])}\n`);
  let scratch: string | null = null;
  // rustc's @file is rewritten into a copy: the original may be reused or inspected by rustc.
  const copyOf = (contents: string): string => {
    scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rpi-cross-zig-'));
    const file = path.join(scratch, `args-${fs.readdirSync(scratch).length}`);
    fs.writeFileSync(file, contents, { mode: 0o600 });
    return file;
  };
  const readFile = (p: string): string | null => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  };
  try {
    const cmd = zigCommand(config, args, { readFile, copyOf });
    const r = spawnSync(config.zig, cmd, { stdio: 'inherit' });
    if (r.error) {
      process.stderr.write(
        `rust-rpi-cross zig wrapper: cannot run ${config.zig}: ${r.error.message}\n`,
      );
      return 127;
    }
    if (r.signal) return 128 + (os.constants.signals[r.signal] ?? 0);
    return r.status ?? 1;
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));
