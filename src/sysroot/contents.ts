/**
 * Which Debian package provides a file a build could not find, from the archive's own indexes:
 * what cargo's failure says is missing (a table of the texts pkg-config, openssl-sys, gcc, clang,
 * ld, lld, zig and the loader print), a streaming scan of a `Contents-<arch>` index for exactly
 * those files, and the choice among the packages found. Pure: the caller feeds the bytes.
 */

export type FileKind = 'pc' | 'header' | 'lib';

export interface WantedFile {
  readonly kind: FileKind;
  /** `openssl.pc`, `openssl/ssl.h`, `libsqlite3.so`: relative to the dirs its kind is searched in. */
  readonly name: string;
}

/** One missing thing, with the files that would each satisfy it (the first found is named). */
export interface Wanted {
  /** What the message names: the first file's name. */
  readonly what: string;
  readonly files: readonly WantedFile[];
}

const pc = (name: string): WantedFile => ({ kind: 'pc', name });
const header = (name: string): WantedFile => ({ kind: 'header', name });
const lib = (name: string): WantedFile => ({ kind: 'lib', name });
/** `-lfoo` is satisfied by libfoo.so or (for a static link) libfoo.a; `-l:libfoo.so.1` by that file. */
const linkName = (l: string): WantedFile[] =>
  l.startsWith(':') ? [lib(l.slice(1))] : [lib(`lib${l}.so`), lib(`lib${l}.a`)];

interface Rule {
  /** Global: a failure can name several missing files. */
  readonly re: RegExp;
  readonly files: (captured: string) => WantedFile[];
}

/** Each text is quoted from a real failure (see __tests__/unit/sysroot-contents.test.ts). */
const RULES: readonly Rule[] = [
  // pkg-config-rs 0.3.26+: "The file `zlib.pc` needs to be installed and the PKG_CONFIG_PATH …"
  { re: /The file `([^`\s]+\.pc)` needs to be installed/g, files: (n) => [pc(n)] },
  // pkg-config/pkgconf itself, as every pkg-config-rs version passes it on
  {
    re: /Package '?([^\s']+?)'? was not found in the pkg-config search path/g,
    files: (n) => [pc(`${n}.pc`)],
  },
  // pkg-config-rs: "could not find system library 'dbus-1' required by the 'x' crate"
  { re: /could not find system library '([^'\s]+)' required by/g, files: (n) => [pc(`${n}.pc`)] },
  // openssl-sys: both texts, old and new; its fallback search looks for the headers
  {
    re: /(Could not find directory of OpenSSL installation|Could not find openssl via pkg-config)/g,
    files: () => [pc('openssl.pc'), header('openssl/ssl.h')],
  },
  // gcc: "fatal error: zlib.h: No such file or directory"
  { re: /fatal error: ([^\s:'"]+): No such file or directory/g, files: (n) => [header(n)] },
  // clang and zig cc: "fatal error: 'zlib.h' file not found"
  { re: /fatal error: '([^'\s]+)' file not found/g, files: (n) => [header(n)] },
  // GNU ld: "ld: cannot find -lsqlite3: No such file or directory" (also "-l:libfoo.so.1")
  { re: /cannot find -l(:?[^\s:]+)/g, files: linkName },
  // lld: "ld.lld: error: unable to find library -lsqlite3"
  { re: /unable to find library -l(:?[^\s:]+)/g, files: linkName },
  // zig's linker: "unable to find Dynamic system library 'sqlite3' using strategy …" (0.11: Dynamic)
  { re: /unable to find [Dd]ynamic system library '([^'\s]+)'/g, files: linkName },
  // the dynamic loader, when a test or smoke run starts: the runtime library's exact soname
  {
    re: /error while loading shared libraries: ([^\s:]+): cannot open shared object file/g,
    files: (n) => [lib(n)],
  },
];

/** Names that go into a message and a needle: a plain relative path, nothing a shell or log reads. */
const SAFE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]*(\/[A-Za-z0-9_+][A-Za-z0-9._+-]*)*$/;

/** The files cargo's output says are missing, each once, in the order they appear. */
export function wantedFiles(output: string): Wanted[] {
  const hits: { at: number; files: WantedFile[] }[] = [];
  for (const rule of RULES) {
    for (const m of output.matchAll(rule.re)) {
      const files = rule.files(m[1] as string).filter((f) => SAFE_NAME.test(f.name));
      if (files.length) hits.push({ at: m.index, files });
    }
  }
  hits.sort((a, b) => a.at - b.at);
  const out: { what: string; files: WantedFile[] }[] = [];
  for (const h of hits) {
    // "Package openssl was not found" and openssl-sys's own text name the same thing: one
    // entry, with the fallbacks of both.
    const same = out.find((w) => w.files.some((f) => h.files.some((g) => g.name === f.name)));
    if (!same) {
      out.push({ what: (h.files[0] as WantedFile).name, files: [...h.files] });
      continue;
    }
    for (const f of h.files) if (!same.files.some((g) => g.name === f.name)) same.files.push(f);
  }
  return out;
}

/**
 * Where each kind is looked for in a Debian sysroot, most likely first: the dirs of the merged
 * sysroot's PKG_CONFIG_LIBDIR, the compiler's include dirs, the linker's and loader's lib dirs.
 */
export function searchDirs(kind: FileKind, multiarch: string): string[] {
  switch (kind) {
    case 'pc':
      return [`usr/lib/${multiarch}/pkgconfig/`, 'usr/lib/pkgconfig/', 'usr/share/pkgconfig/'];
    case 'header':
      return ['usr/include/', `usr/include/${multiarch}/`];
    case 'lib':
      return [`usr/lib/${multiarch}/`, `lib/${multiarch}/`, 'usr/lib/', 'lib/'];
  }
}

export interface ContentsHit {
  /** As in the index: `usr/lib/aarch64-linux-gnu/pkgconfig/openssl.pc`. */
  readonly path: string;
  /** Package names (the section prefix dropped). */
  readonly packages: readonly string[];
}

/**
 * Debian policy's package names. The index is signed, but its names still go into the error
 * message: anything else (a `::` that could start a workflow command) is not named.
 */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** One `Contents` line: the file, whitespace, a comma list of `[area/]section/package`. */
export function parseContentsLine(line: string): ContentsHit | null {
  const m = /^(.*\S)\s+(\S+)$/.exec(line);
  if (!m) return null;
  const packages = (m[2] as string)
    .split(',')
    .map((loc) => loc.slice(loc.lastIndexOf('/') + 1))
    .filter((p) => PACKAGE_NAME.test(p));
  return packages.length ? { path: m[1] as string, packages } : null;
}

/**
 * A streaming scan of a decompressed Contents index for the wanted files only: no map of its
 * 1.6 million lines is built. Each chunk is searched for a needle per file (a `/name` suffix),
 * and only the lines around a hit are parsed and checked against the search dirs.
 */
export class ContentsScanner {
  private carry: Buffer = Buffer.alloc(0);
  private readonly exact: Map<string, WantedFile>;
  private readonly needles: Buffer[];
  readonly hits = new Map<string, ContentsHit[]>();

  constructor(wanted: readonly Wanted[], multiarch: string) {
    this.exact = new Map();
    for (const w of wanted) {
      for (const f of w.files) {
        for (const d of searchDirs(f.kind, multiarch)) this.exact.set(d + f.name, f);
      }
    }
    const needles = new Set(wanted.flatMap((w) => w.files.map((f) => `/${f.name}`)));
    this.needles = [...needles].map((n) => Buffer.from(n, 'latin1'));
  }

  /**
   * Bytes of the index, in order. Searched as bytes (Buffer.indexOf, no text made of the
   * ~140 MB); only a line with a hit is decoded. The needles are ASCII (SAFE_NAME).
   */
  push(chunk: Buffer): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) {
      this.carry = Buffer.from(buf);
      return;
    }
    // A copy: the chunk's memory is the decompressor's to reuse.
    this.carry = Buffer.from(buf.subarray(end + 1));
    this.scan(buf, end);
  }

  end(): Map<string, ContentsHit[]> {
    if (this.carry.length)
      this.scan(Buffer.concat([this.carry, Buffer.from('\n')]), this.carry.length);
    this.carry = Buffer.alloc(0);
    return this.hits;
  }

  private scan(buf: Buffer, end: number): void {
    for (const needle of this.needles) {
      for (let i = buf.indexOf(needle); i >= 0 && i < end; i = buf.indexOf(needle, i + 1)) {
        const start = buf.lastIndexOf(0x0a, i) + 1;
        const stop = buf.indexOf(0x0a, i);
        const hit = parseContentsLine(buf.toString('latin1', start, stop));
        // The needle can sit inside a longer name (libz.so in libzstd.so): only exact paths count.
        const f = hit && this.exact.get(hit.path);
        if (hit && f) {
          const list = this.hits.get(f.name) ?? [];
          if (!list.some((h) => h.path === hit.path)) list.push(hit);
          this.hits.set(f.name, list);
        }
        i = stop;
      }
    }
  }
}

export interface Provider {
  readonly wanted: Wanted;
  /** The file found, and its package. */
  readonly file: WantedFile;
  readonly path: string;
  readonly package: string;
}

/**
 * The package to name for `wanted`: the first of its files found; a `-dev` package before a
 * runtime or tests package; the most likely dir first. Null when the index has none.
 */
export function chooseProvider(
  wanted: Wanted,
  hits: ReadonlyMap<string, readonly ContentsHit[]>,
  multiarch: string,
): Provider | null {
  for (const file of wanted.files) {
    const found = hits.get(file.name) ?? [];
    if (found.length === 0) continue;
    const dirs = searchDirs(file.kind, multiarch);
    const rank = (h: ContentsHit, p: string): number =>
      (p.endsWith('-dev') ? 0 : 100) + dirs.findIndex((d) => h.path === d + file.name);
    let best: { path: string; package: string; r: number } | null = null;
    for (const h of found) {
      for (const p of h.packages) {
        const r = rank(h, p);
        if (!best || r < best.r) best = { path: h.path, package: p, r };
      }
    }
    if (best) return { wanted, file, path: best.path, package: best.package };
  }
  return null;
}

/**
 * Without a Contents index (an archive may not publish one): `-dev` packages named after the
 * file, as Debian names most (`zlib.pc` → zlib1g-dev, `dbus-1.pc` → libdbus-1-dev,
 * `openssl/ssl.h` → libssl-dev). A guess, and said to be one.
 */
export function guessByName(wanted: Wanted, names: Iterable<string>): string[] {
  const stems = new Set<string>();
  for (const f of wanted.files) {
    const parts = f.name.split('/');
    const base = (parts[parts.length - 1] as string).replace(
      /\.(pc|hpp|hh|h|so(\.[0-9.]+)?|a)$/,
      '',
    );
    for (const s of [base, ...(parts.length > 1 ? [parts[0] as string] : [])]) {
      stems.add(s.replace(/^lib/, '').toLowerCase());
    }
  }
  const res = [...stems]
    .filter((s) => s.length >= 2)
    .map((s) => new RegExp(`^(lib)?${s.replace(/[.+]/g, '\\$&')}[0-9.]*[a-z]?-dev$`));
  const out: string[] = [];
  for (const n of names) if (PACKAGE_NAME.test(n) && res.some((re) => re.test(n))) out.push(n);
  return out.sort();
}
