import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");
;// CONCATENATED MODULE: ./src/zig/response-file.ts
/**
 * GNU-style response files (`@file`), as rustc writes them when a link line is too long for
 * the OS: one argument per line, `\` and space escaped with a backslash. Reading follows the
 * GNU/clang tokenizer (whitespace separates; backslash escapes; quotes group), so a file
 * written by another tool reads the same way zig itself would read it.
 */
function parseResponseFile(text) {
    const args = [];
    let cur = '';
    let inArg = false;
    let quote = null;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '\\' && i + 1 < text.length) {
            cur += text[++i];
            inArg = true;
        }
        else if (quote) {
            if (c === quote)
                quote = null;
            else
                cur += c;
        }
        else if (c === '"' || c === "'") {
            quote = c;
            inArg = true;
        }
        else if (/\s/.test(c)) {
            if (inArg)
                args.push(cur);
            cur = '';
            inArg = false;
        }
        else {
            cur += c;
            inArg = true;
        }
    }
    if (inArg)
        args.push(cur);
    return args;
}
/** One argument a line; everything the reader treats specially is backslash-escaped. */
function formatResponseFile(args) {
    // An empty argument would be an empty line, which reads as no argument at all.
    const one = (a) => (a === '' ? '""' : a.replace(/[\\\s'"]/g, (c) => `\\${c}`));
    return args.map((a) => `${one(a)}\n`).join('');
}

;// CONCATENATED MODULE: ./src/targets/table.ts
/**
 * The Pi targets, boards and Pi OS releases as data. Everything that differs between targets
 * lives here; code that needs a per-target fact looks it up instead of branching on a triple.
 */
const EM_ARM = 40;
const EM_AARCH64 = 183;
const AARCH64 = { bits: 64, machine: EM_AARCH64, hardFloat: true };
const ARM32 = { bits: 32, machine: EM_ARM, hardFloat: true };
const TARGETS = [
    {
        triple: 'aarch64-unknown-linux-gnu',
        arch: 'aarch64',
        libc: 'gnu',
        cpu: 'v8',
        elf: AARCH64,
        interpreter: '/lib/ld-linux-aarch64.so.1',
        qemu: { binary: 'qemu-aarch64', cpu: 'cortex-a53' },
        gccTriple: 'aarch64-linux-gnu',
        twin: 'aarch64-unknown-linux-musl',
    },
    {
        triple: 'armv7-unknown-linux-gnueabihf',
        arch: 'arm',
        libc: 'gnu',
        cpu: 'v7',
        elf: ARM32,
        interpreter: '/lib/ld-linux-armhf.so.3',
        qemu: { binary: 'qemu-arm', cpu: 'cortex-a7' },
        gccTriple: 'arm-linux-gnueabihf',
        twin: 'armv7-unknown-linux-musleabihf',
    },
    {
        triple: 'arm-unknown-linux-gnueabihf',
        arch: 'arm',
        libc: 'gnu',
        cpu: 'v6',
        elf: ARM32,
        interpreter: '/lib/ld-linux-armhf.so.3',
        qemu: { binary: 'qemu-arm', cpu: 'arm1176' },
        gccTriple: 'arm-linux-gnueabihf',
        twin: 'arm-unknown-linux-musleabihf',
    },
    {
        triple: 'aarch64-unknown-linux-musl',
        arch: 'aarch64',
        libc: 'musl',
        cpu: 'v8',
        elf: AARCH64,
        interpreter: null,
        qemu: { binary: 'qemu-aarch64', cpu: 'cortex-a53' },
        gccTriple: 'aarch64-linux-musl',
        twin: 'aarch64-unknown-linux-gnu',
    },
    {
        triple: 'armv7-unknown-linux-musleabihf',
        arch: 'arm',
        libc: 'musl',
        cpu: 'v7',
        elf: ARM32,
        interpreter: null,
        qemu: { binary: 'qemu-arm', cpu: 'cortex-a7' },
        gccTriple: 'arm-linux-musleabihf',
        twin: 'armv7-unknown-linux-gnueabihf',
    },
    {
        triple: 'arm-unknown-linux-musleabihf',
        arch: 'arm',
        libc: 'musl',
        cpu: 'v6',
        elf: ARM32,
        interpreter: null,
        qemu: { binary: 'qemu-arm', cpu: 'arm1176' },
        gccTriple: 'arm-linux-musleabihf',
        twin: 'arm-unknown-linux-gnueabihf',
    },
];
const A64 = 'aarch64-unknown-linux-gnu';
const V7 = 'armv7-unknown-linux-gnueabihf';
const V6 = 'arm-unknown-linux-gnueabihf';
const BOARDS = [
    { name: 'pi1', label: 'Raspberry Pi 1', triple: V6, qemuCpu: 'arm1176' },
    { name: 'pi-zero', label: 'Raspberry Pi Zero', triple: V6, qemuCpu: 'arm1176' },
    { name: 'pi-zero-w', label: 'Raspberry Pi Zero W', triple: V6, qemuCpu: 'arm1176' },
    { name: 'pi2', label: 'Raspberry Pi 2', triple: V7, qemuCpu: 'cortex-a7' },
    {
        name: 'pi-zero-2',
        label: 'Raspberry Pi Zero 2 W',
        triple: A64,
        triple32: V7,
        qemuCpu: 'cortex-a53',
    },
    { name: 'pi3', label: 'Raspberry Pi 3', triple: A64, triple32: V7, qemuCpu: 'cortex-a53' },
    { name: 'cm3', label: 'Compute Module 3', triple: A64, triple32: V7, qemuCpu: 'cortex-a53' },
    { name: 'pi4', label: 'Raspberry Pi 4', triple: A64, triple32: V7, qemuCpu: 'cortex-a72' },
    { name: 'pi400', label: 'Raspberry Pi 400', triple: A64, triple32: V7, qemuCpu: 'cortex-a72' },
    { name: 'cm4', label: 'Compute Module 4', triple: A64, triple32: V7, qemuCpu: 'cortex-a72' },
    { name: 'pi5', label: 'Raspberry Pi 5', triple: A64, triple32: V7, qemuCpu: 'cortex-a76' },
    { name: 'pi500', label: 'Raspberry Pi 500', triple: A64, triple32: V7, qemuCpu: 'cortex-a76' },
    { name: 'cm5', label: 'Compute Module 5', triple: A64, triple32: V7, qemuCpu: 'cortex-a76' },
];
/** Raspberry Pi OS releases and the glibc each ships: the floor a gnu binary must not exceed. */
const PI_OS = [
    { name: 'buster', glibc: '2.28' },
    { name: 'bullseye', glibc: '2.31' },
    { name: 'bookworm', glibc: '2.36' },
    { name: 'trixie', glibc: '2.41' },
];
const DEFAULT_PI_OS = 'bullseye';
/** qemu-arm (32-bit user mode) has no Cortex-A53/A72/A76 model; these run ARMv7 code the same. */
const QEMU_ARM32_CPU_FOR_V8_BOARD = 'cortex-a7';
function targetSpec(triple) {
    const spec = TARGETS.find((t) => t.triple === triple);
    if (!spec)
        throw new Error(`internal: no target spec for ${triple}`);
    return spec;
}
/** `aarch64-unknown-linux-gnu` → `aarch64_unknown_linux_gnu` (cc-rs env suffix). */
function tripleEnvSuffix(triple) {
    return triple.replace(/-/g, '_');
}
/** `aarch64-unknown-linux-gnu` → `AARCH64_UNKNOWN_LINUX_GNU` (cargo env key part). */
function tripleCargoKey(triple) {
    return tripleEnvSuffix(triple).toUpperCase();
}
/** Pi OS releases whose glibc is at least `needed` (e.g. '2.34' → bookworm, trixie). */
function piOsRunningGlibc(needed) {
    return PI_OS.filter((os) => needed === null || compareVersions(os.glibc, needed) >= 0).map((os) => os.name);
}
/** Numeric dotted-version compare: '2.9' < '2.28'. */
function compareVersions(a, b) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
        const d = (pa[i] ?? 0) - (pb[i] ?? 0);
        if (d !== 0)
            return d;
    }
    return 0;
}

;// CONCATENATED MODULE: ./src/zig/rules.ts
/**
 * The arguments rustc and cc-rs pass to a C compiler/linker that `zig cc` rejects or
 * mishandles, and what to do with each, as a table. Each rule was checked against zig 0.11.0
 * and 0.14.0-dev (accepted/rejected as the `why` says); the list follows cargo-zigbuild's
 * filter for Linux targets.
 */

const drop = () => [];
const ARG_RULES = [
    {
        name: 'gcc_s',
        why: 'zig has no libgcc_s; its libunwind is the unwinder',
        match: /^-lgcc_s$/,
        to: () => ['-lunwind'],
    },
    {
        name: 'target-eq',
        why: 'cc-rs passes the Rust triple, which zig cannot parse (UnknownOperatingSystem); the wrapper’s -target is authoritative',
        match: /^--target=.*$/,
    },
    {
        name: 'target',
        why: 'a second -target would override the wrapper’s (floor and all)',
        match: /^-target$/,
        withNext: true,
    },
    {
        name: 'entry',
        why: 'zig ≥0.12’s clang driver rejects -e<sym> (Unknown Clang option)',
        match: /^-e(?!xport)(.+)$/,
        to: (m) => [`-Wl,--entry=${m[1]}`],
    },
    {
        name: 'arm-compiler-builtins',
        why: 'Rust’s compiler_builtins clashes with zig’s compiler_rt on arm (duplicate intrinsics)',
        match: /^.*libcompiler_builtins-[^/]*\.rlib$/,
        arch: 'arm',
    },
    {
        name: 'no-undefined-version',
        why: 'zig 0.11’s linker rejects it (unsupported linker arg)',
        match: /^-Wl,--no-undefined-version$/,
    },
    {
        name: 'nostart-stop-gc',
        why: 'unsupported linker extension flag',
        match: /^-Wl,-z,?nostart-stop-gc$/,
    },
    {
        name: 'fix-cortex-a53',
        why: 'rustc ≥1.98 passes it for aarch64; zig’s linker rejects it',
        match: /^-Wl,--fix-cortex-a53-\d+$/,
    },
    {
        name: 'plugin-opt',
        why: 'linker-plugin LTO options: unsupported',
        match: /^-Wl,-plugin-opt.*$/,
    },
    {
        name: 'strip-debug',
        why: 'zig 0.11 takes --strip-debug (cargo’s default release strip = "debuginfo") for --strip-all and drops the symbol table the ARMv6 instruction scan reads; the action strips the staged copy instead',
        match: /^-Wl,(--strip-debug|-S)$/,
    },
    {
        name: 'musl-crt',
        why: 'zig supplies its own crt1/crti/crtn for musl',
        match: /^.*self-contained[/\\].*crt.*\.o$/,
        libc: 'musl',
    },
    {
        name: 'musl-lc',
        why: 'zig links its own musl libc',
        match: /^-lc$/,
        libc: 'musl',
    },
    {
        name: 'wp',
        why: 'zig ≥0.12 supports only -Wp,-MD/-MMD/-MT (unsupported preprocessor arg)',
        match: /^-Wp,(?!-MD|-MMD|-MT).*$/,
    },
    {
        name: 'march-arm',
        why: 'zig parses -march as a CPU name (unknown CPU: armv7); the wrapper’s -mcpu says it',
        match: /^-march=.*$/,
        arch: 'arm',
    },
    {
        name: 'march-aarch64',
        why: 'zig parses -march as a CPU name (unknown CPU: armv8); features go on a generic -mcpu',
        match: /^-march=armv[^+]*(\+.*)?$/,
        arch: 'aarch64',
        to: (m) => {
            const feats = m[1] ?? '';
            const cpu = [`-mcpu=generic${feats}`];
            // The crypto extension is known to the assembler only by its -march spelling.
            return feats.includes('+crypto') ? [...cpu, '-Xassembler', m[0]] : cpu;
        },
    },
    {
        name: 'dynamic-list',
        why: 'zig before 0.16 has no --dynamic-list / -exported_symbols_list',
        match: /^-Wl,(--dynamic-list|-exported_symbols_list)$/,
        zigBefore: '0.16.0',
        withNext: true,
    },
    {
        name: 'dynamic-list-joined',
        why: 'zig before 0.16 has no --dynamic-list / -exported_symbols_list',
        match: /^-Wl,(--dynamic-list|-exported_symbols_list)[,=].*$/,
        zigBefore: '0.16.0',
    },
];
/** `0.14.0-dev.2456+a68119f8f` → `0.14.0` (a dev build comes before its release). */
function releaseOf(version) {
    return version.replace(/[-+].*$/, '');
}
function applies(rule, ctx) {
    if (rule.arch && rule.arch !== ctx.arch)
        return false;
    if (rule.libc && rule.libc !== ctx.libc)
        return false;
    if (rule.zigBefore && compareVersions(releaseOf(ctx.zigVersion), rule.zigBefore) >= 0)
        return false;
    return true;
}
/** The first applicable rule matching `arg`, if any. */
function ruleFor(arg, ctx) {
    return ARG_RULES.find((r) => applies(r, ctx) && r.match.test(arg));
}
/** Rewrites one argument list (the command line, or the contents of an @file). */
function rewriteArgs(args, ctx) {
    const out = [];
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const rule = ruleFor(arg, ctx);
        if (!rule) {
            out.push(arg);
            continue;
        }
        const m = arg.match(rule.match);
        out.push(...(rule.to ?? drop)(m));
        if (rule.withNext)
            i++;
    }
    return out;
}

;// CONCATENATED MODULE: ./src/zig/command.ts


/** Compile-only calls get no -L (clang would warn that it is unused). */
const COMPILE_ONLY = new Set(['-c', '-S', '-E', '-M', '-MM']);
/**
 * zig's argument list for one call. The fixed part comes first: `-g` because zig strips
 * without it (Rust's debug info and symbol table with it), `-fno-sanitize=all` because
 * `zig cc` turns UBSan on for C built at -O0.
 */
function zigCommand(config, args, files) {
    if (config.tool === 'ar' || config.tool === 'ranlib')
        return [config.tool, ...args];
    const fixed = ['-target', config.target, ...(config.cpu ? [`-mcpu=${config.cpu}`] : [])];
    const out = [];
    let inline = [];
    const flush = () => {
        out.push(...rewriteArgs(inline, config.rules));
        inline = [];
    };
    for (const a of args) {
        const text = a.startsWith('@') ? files.readFile(a.slice(1)) : null;
        if (text === null) {
            inline.push(a);
            continue;
        }
        flush();
        const rewritten = rewriteArgs(parseResponseFile(text), config.rules);
        out.push(`@${files.copyOf(formatResponseFile(rewritten))}`);
    }
    flush();
    const sys = [];
    if (config.sysroot) {
        for (const d of config.sysroot.include)
            sys.push('-isystem', d);
        if (!args.some((a) => COMPILE_ONLY.has(a)))
            for (const d of config.sysroot.lib)
                sys.push(`-L${d}`);
    }
    return [config.tool, ...fixed, '-g', '-fno-sanitize=all', ...sys, ...out];
}

;// CONCATENATED MODULE: ./src/zig/wrapper-main.ts
/**
 * The program behind the CC/CXX/AR/RANLIB/linker wrappers the action writes for zig (bundled
 * on its own to dist/zig-wrapper/index.js, so a compiler call does not load the action). The
 * `#!/bin/sh` wrapper passes its config file and the compiler's arguments; nothing here goes
 * through a shell.
 */





function main(argv) {
    const [configPath, ...args] = argv;
    if (!configPath) {
        process.stderr.write('rust-rpi-cross zig wrapper: no config file given\n');
        return 2;
    }
    const config = JSON.parse(external_node_fs_namespaceObject.readFileSync(configPath, 'utf8'));
    if (process.env.RPI_CROSS_ZIG_LOG)
        external_node_fs_namespaceObject.appendFileSync(process.env.RPI_CROSS_ZIG_LOG, `${JSON.stringify([config.tool, ...args])}\n`);
    let scratch = null;
    // rustc's @file is rewritten into a copy: the original may be reused or inspected by rustc.
    const copyOf = (contents) => {
        scratch ??= external_node_fs_namespaceObject.mkdtempSync(external_node_path_namespaceObject.join(external_node_os_namespaceObject.tmpdir(), 'rpi-cross-zig-'));
        const file = external_node_path_namespaceObject.join(scratch, `args-${external_node_fs_namespaceObject.readdirSync(scratch).length}`);
        external_node_fs_namespaceObject.writeFileSync(file, contents, { mode: 0o600 });
        return file;
    };
    const readFile = (p) => {
        try {
            return external_node_fs_namespaceObject.readFileSync(p, 'utf8');
        }
        catch {
            return null;
        }
    };
    try {
        const cmd = zigCommand(config, args, { readFile, copyOf });
        const r = (0,external_node_child_process_namespaceObject.spawnSync)(config.zig, cmd, { stdio: 'inherit' });
        if (r.error) {
            process.stderr.write(`rust-rpi-cross zig wrapper: cannot run ${config.zig}: ${r.error.message}\n`);
            return 127;
        }
        if (r.signal)
            return 128 + (external_node_os_namespaceObject.constants.signals[r.signal] ?? 0);
        return r.status ?? 1;
    }
    finally {
        if (scratch)
            external_node_fs_namespaceObject.rmSync(scratch, { recursive: true, force: true });
    }
}
process.exitCode = main(process.argv.slice(2));

