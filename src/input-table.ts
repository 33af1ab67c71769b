/**
 * Every input of the action, once: action.yml's `inputs:` block is rendered from this table (a
 * unit test keeps the file equal to the rendering) and the CLI's flags and --help come from it,
 * so the two front doors cannot drift. A TS table rather than action.yml read at bundle time:
 * the runner needs action.yml as a static file anyway, and a table the compiler sees gives
 * InputName its type and the CLI its groups without a YAML parser in the bundle.
 */

/** Which part of the run an input is about: each CLI subcommand takes some groups. */
export type InputGroup = 'target' | 'toolchain' | 'cargo' | 'check' | 'package' | 'action';

export interface InputSpec {
  readonly name: string;
  readonly group: InputGroup;
  /** Read as 'true'/'false': the CLI takes `--name` and `--no-name` for it. */
  readonly boolean?: true;
  readonly required?: true;
  /** action.yml's default, and the CLI's when the flag is absent. */
  readonly default: string;
  readonly description: string;
}

export const INPUTS = [
  {
    name: 'target',
    group: 'target',
    required: true,
    default: '',
    description:
      "Pi boards or Rust triples, separated by commas, spaces or newlines. Boards: pi1, pi-zero, pi-zero-w (ARMv6), pi2 (ARMv7), pi-zero-2, pi3, cm3, pi4, pi400, cm4, pi5, pi500, cm5 (64-bit Pi OS). Add ':32' for the 32-bit Pi OS build of a 64-bit board and ':musl' for a static musl build (e.g. 'pi4:32', 'pi-zero:musl'). Triples: aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf, arm-unknown-linux-gnueabihf and their musl twins.",
  },
  {
    name: 'pi-os',
    group: 'target',
    default: '',
    description:
      'Oldest Raspberry Pi OS the binaries must run on: buster (glibc 2.28), bullseye (2.31), bookworm (2.36) or trixie (2.41). Sets the glibc floor for gnu targets. Empty means bullseye.',
  },
  {
    name: 'rust-toolchain',
    group: 'toolchain',
    default: '',
    description:
      'Rust toolchain name, passed as cargo +<name>. Empty: what rust-toolchain(.toml) or the rustup default says.',
  },
  {
    name: 'linker',
    group: 'toolchain',
    default: 'auto',
    description:
      "auto, gcc, zig or rust-lld. auto: a pinned gcc cross toolchain where one fits the host, target and Pi OS floor, zig otherwise (arm64 and macOS runners, old floors); for musl targets rustup's rust-lld (no download) unless Cargo.lock pulls in a C build crate (cc, cmake).",
  },
  {
    name: 'toolchain-url',
    group: 'toolchain',
    default: '',
    description:
      'Bring your own prebuilt cross toolchain (.tar.gz/.tar.xz/.tar.bz2/.zip): a gcc one (its driver and sysroot are discovered) or a zig release archive. Needs toolchain-sha256.',
  },
  {
    name: 'toolchain-sha256',
    group: 'toolchain',
    default: '',
    description: 'sha256 of the toolchain-url archive; checked before it is unpacked.',
  },
  {
    name: 'toolchain-prefix',
    group: 'toolchain',
    default: '',
    description:
      "Overrides the discovered tool prefix of toolchain-url: the part before '-gcc' (e.g. aarch64-none-linux-gnu).",
  },
  {
    name: 'toolchain-sysroot',
    group: 'toolchain',
    default: '',
    description:
      'Overrides the discovered sysroot of toolchain-url: a directory of the toolchain, relative to its folder (it must stay inside it).',
  },
  {
    name: 'toolchain-mirror',
    group: 'toolchain',
    default: '',
    description:
      'Replaces the origin of every pinned toolchain URL (GHES, air-gapped runners), e.g. https://mirror.example.com/toolchains.',
  },
  {
    name: 'download-timeout',
    group: 'toolchain',
    default: '60',
    description:
      'Seconds a toolchain download may stall (no data) before it is retried, then given up.',
  },
  {
    name: 'sysroot-packages',
    group: 'toolchain',
    default: '',
    description:
      "Debian packages to link against (e.g. 'libssl-dev libsqlite3-dev'), comma, space or newline separated; 'aarch64:libfoo-dev' (a triple or its architecture) gives one to a single target. Fetched for the Pi's architecture from the archive of the 'pi-os' release (Debian for 64-bit, Raspbian for 32-bit, plus the Raspberry Pi archive), signature- and hash-verified like apt, unpacked into a sysroot the compiler, pkg-config and qemu use. gnu targets only.",
  },
  {
    name: 'sysroot-mirror',
    group: 'toolchain',
    default: '',
    description:
      "Serves every package archive under <url>/<archive>/ (debian, debian-security, raspbian, raspberrypi) instead of the archives' own hosts (GHES, air-gapped runners, a company mirror), with the Pi archives' published keys beside them (<url>/raspbian/raspbian.public.key, <url>/raspberrypi/raspberrypi.gpg.key; only keys with the pinned fingerprints are used). Also used without sysroot-packages: for the Pi Zero/1 smoke run's Pi OS libc and for the package hint after a failed build.",
  },
  {
    name: 'sysroot-keyring',
    group: 'toolchain',
    default: '',
    description:
      "An OpenPGP keyring file (binary or armored) trusted instead of the archives' pinned keys (Debian's bundled, the Pi archives' fetched from where they publish them), for a sysroot-mirror that re-signs or a runner that cannot reach the Pi archives.",
  },
  {
    name: 'cache',
    group: 'action',
    boolean: true,
    default: 'true',
    description:
      'Also save/restore the toolchain with the Actions cache (the runner tool cache is always used).',
  },
  {
    name: 'working-directory',
    group: 'toolchain',
    default: '.',
    description:
      'Directory to run cargo in, relative to the workspace (it must resolve inside it).',
  },
  {
    name: 'manifest-path',
    group: 'cargo',
    default: '',
    description:
      'Path to Cargo.toml (relative to working-directory, inside the workspace), passed as --manifest-path.',
  },
  {
    name: 'package',
    group: 'cargo',
    default: '',
    description: 'Packages to build (--package), comma or newline separated.',
  },
  {
    name: 'bin',
    group: 'cargo',
    default: '',
    description: 'Binaries to build (--bin), comma or newline separated.',
  },
  {
    name: 'features',
    group: 'cargo',
    default: '',
    description: 'Features to enable (--features), comma or newline separated.',
  },
  {
    name: 'all-features',
    group: 'cargo',
    boolean: true,
    default: 'false',
    description: 'Pass --all-features.',
  },
  {
    name: 'no-default-features',
    group: 'cargo',
    boolean: true,
    default: 'false',
    description: 'Pass --no-default-features.',
  },
  {
    name: 'profile',
    group: 'cargo',
    default: 'release',
    description: 'Cargo profile (--profile).',
  },
  {
    name: 'locked',
    group: 'cargo',
    boolean: true,
    default: 'false',
    description: 'Pass --locked.',
  },
  {
    name: 'args',
    group: 'cargo',
    default: '',
    description:
      'Extra cargo arguments, split like a shell would (quotes, backslashes) but never run through one.',
  },
  {
    name: 'command',
    group: 'cargo',
    default: 'build',
    description: 'build, test (cargo test through qemu with the Pi CPU model) or both.',
  },
  {
    name: 'verify',
    group: 'check',
    default: 'true',
    description:
      'Check every binary (ELF architecture, float ABI, CPU level, interpreter, glibc floor): true (failures stop the run), warn, or false.',
  },
  {
    name: 'smoke-test',
    group: 'check',
    default: '',
    description:
      "Arguments to run each binary with, under qemu with the board's CPU (natively on an arm64 Linux host without qemu-aarch64), e.g. '--version'; empty skips the smoke run.",
  },
  {
    name: 'smoke-test-timeout',
    group: 'check',
    default: '30',
    description: 'Seconds before a smoke run is killed.',
  },
  {
    name: 'strip',
    group: 'package',
    boolean: true,
    default: 'true',
    description: "Strip binaries with the target toolchain's own strip.",
  },
  {
    name: 'archive',
    group: 'package',
    default: 'tar.gz',
    description: 'Archive per target: tar.gz (keeps the executable bit), zip, or none.',
  },
  {
    name: 'archive-name',
    group: 'package',
    default: '{package}-{version}-{target}',
    description:
      'Archive name template; placeholders {package} {version} {target} {board} {bin} {ref}.',
  },
  {
    name: 'include',
    group: 'package',
    default: '',
    description:
      'Extra files for every archive, relative to working-directory and inside the workspace; no directories or globs. README, LICENSE*, UNLICENSE, COPYING*, NOTICE and Cargo.toml license-file are added when present. Comma or newline separated.',
  },
  {
    name: 'upload',
    group: 'action',
    boolean: true,
    default: 'true',
    description: 'Upload each target as a workflow artifact.',
  },
  {
    name: 'artifact-name',
    group: 'action',
    default: '{package}-{target}',
    description:
      'Artifact name template (same placeholders); must differ per target and per matrix job.',
  },
  {
    name: 'retention-days',
    group: 'action',
    default: '',
    description: 'Artifact retention in days (1-90); empty uses the repository setting.',
  },
] as const satisfies readonly InputSpec[];

export type InputName = (typeof INPUTS)[number]['name'];

const WIDTH = 100;

/** Words joined into lines of at most WIDTH columns, each with `indent` in front. */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(indent + line);
  return lines;
}

const quoted = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** action.yml's `inputs:` block for the table (YAML folded scalars keep the text as it is). */
export function renderActionInputs(inputs: readonly InputSpec[] = INPUTS): string {
  const out = ['inputs:'];
  for (const i of inputs) {
    out.push(`  ${i.name}:`, '    description: >-', ...wrap(i.description, '      '));
    out.push(`    required: ${i.required ? 'true' : 'false'}`);
    if (!i.required) out.push(`    default: ${quoted(i.default)}`);
  }
  return `${out.join('\n')}\n`;
}
