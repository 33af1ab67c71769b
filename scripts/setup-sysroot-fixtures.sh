#!/usr/bin/env bash
# Fetches a small, real, signed Debian mirror for the sysroot archive client's tests into
# $DEST (default $RPI_TEST_HOME/sysroot-mirror, RPI_TEST_HOME as in setup-test-env.sh): the InRelease and the Packages.xz
# (.gz where listed) of bookworm and bullseye (+ -updates, -security) for arm64 and armhf, the
# main/Contents-<arch>.gz of bookworm, and the .debs of the closures of ROOTS. Nothing is
# installed. The origin is the machine's own apt configuration
# (the URIs of /etc/apt/sources.list.d/*.sources ending in /debian and /debian-security), so no
# host name lives in the repository. Layout: $DEST/debian/…, $DEST/debian-security/…, and
# $DEST/raspbian -> debian (Debian armhf stands in for Raspbian, for ARMv7 only).
set -euo pipefail

DEST=${DEST:-${RPI_TEST_HOME:-/opt/rust-rpi-cross-test}/sysroot-mirror}
SUITES=${SUITES:-"bookworm bullseye"}
ARCHS=${ARCHS:-"arm64 armhf"}
ROOTS=${ROOTS:-"libssl-dev libsqlite3-dev libdbus-1-dev"}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

origin() { # the first URIs: of apt's deb822 sources whose path ends in $1
  local want=$1
  awk -v want="$want" 'tolower($1)=="uris:" { for (i = 2; i <= NF; i++) if ($i ~ ("/" want "/?$")) { sub("/$", "", $i); print $i; exit } }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1
}
DEBIAN=$(origin debian)
SECURITY=$(origin debian-security)
[[ -n $DEBIAN && -n $SECURITY ]] || { echo "setup-sysroot-fixtures: no /debian and /debian-security URIs in /etc/apt/sources.list.d/*.sources" >&2; exit 1; }

get() { curl -fsS --retry 2 -o "$2.part" "$1" && mv "$2.part" "$2"; }

# suite_files ARCHIVE-DIR BASE-URL SUITE: InRelease (checked by gpgv) and each arch's Packages.xz
# (checked against it). Prints nothing; fails loudly on a mismatch.
suite_files() {
  local dir=$1 base=$2 suite=$3 d="$1/dists/$3"
  mkdir -p "$d"
  [[ -s $d/InRelease ]] || get "$base/dists/$suite/InRelease" "$d/InRelease"
  gpgv --keyring "$KEYRING" "$d/InRelease" 2>/dev/null || { echo "bad signature: $d/InRelease" >&2; exit 1; }
  local arch rel comp
  for arch in $ARCHS; do
    # contrib and non-free too: the Raspbian stand-in reads main contrib non-free rpi, and a
    # component InRelease lists must be there (Debian has no rpi: skipped with a notice).
    for comp in main contrib non-free; do
      # .gz where listed: the client prefers it (node's zlib is ~5x faster than the wasm xz).
      rel="$comp/binary-$arch/Packages.xz"
      grep -qE "^ [0-9a-f]{64} +[0-9]+ $comp/binary-$arch/Packages.gz\$" "$d/InRelease" &&
        rel="$comp/binary-$arch/Packages.gz"
      mkdir -p "$d/$comp/binary-$arch"
      [[ -s $d/$rel || -e $d/$rel.stale ]] && continue
      if ! get "$base/dists/$suite/$rel" "$d/$rel" 2>/dev/null; then
        echo "WARN: $base/dists/$suite/$rel is not on this mirror; left out (no test reads it)" >&2
        : >"$d/$rel.stale"
        continue
      fi
      # A caching mirror can hold an index older than its InRelease (seen: bookworm-security
      # armhf); keep it aside as .stale: the client would refuse it, so no test reads that suite/arch.
      if ! grep -E "^ [0-9a-f]{64} +[0-9]+ $rel\$" "$d/InRelease" | head -1 |
        awk -v f="$d/$rel" '{print $1"  "f}' | sha256sum -c --quiet - 2>/dev/null; then
        echo "WARN: $d/$rel does not match its InRelease (stale mirror); kept as $rel.stale" >&2
        mv "$d/$rel" "$d/$rel.stale"
      fi
    done
  done
}

declare -A BASE=([debian]=$DEBIAN [debian-security]=$SECURITY)
for suite in $SUITES; do
  suite_files "$DEST/debian" "$DEBIAN" "$suite"
  suite_files "$DEST/debian" "$DEBIAN" "$suite-updates"
  suite_files "$DEST/debian-security" "$SECURITY" "$suite-security"
done
ln -sfn debian "$DEST/raspbian"

# The Contents index of main (file -> package) for each arch of CONTENTS_SUITES: the build
# failure's hint looks up which package provides a missing .pc, header or library in it.
# Checked against the InRelease like the Packages files; ~11 MB each.
for suite in ${CONTENTS_SUITES:-bookworm}; do
  d="$DEST/debian/dists/$suite"
  for arch in $ARCHS; do
    rel="main/Contents-$arch.gz"
    [[ -s $d/$rel ]] && continue
    get "$DEBIAN/dists/$suite/$rel" "$d/$rel"
    grep -E "^ [0-9a-f]{64} +[0-9]+ $rel\$" "$d/InRelease" | head -1 |
      awk -v f="$d/$rel" '{print $1"  "f}' | sha256sum -c --quiet - ||
      { echo "$d/$rel does not match its InRelease" >&2; rm -f "$d/$rel"; exit 1; }
  done
done

# The .debs: a name-only closure over every suite's index (any version of a name is fetched, so
# whichever suite the client prefers is there), skipping Essential / Multi-Arch: foreign and the
# toolchain's glibc, as the client does. Each .deb is checked against its index's SHA256.
# RUNTIME_ROOTS: what archives.json's `runtime` gives ARMv6 (armhf), its closure in full.
RUNTIME_ROOTS=${RUNTIME_ROOTS:-"libc6 libstdc++6"}
for job in $(for a in $ARCHS; do echo "$a:"; done) armhf:full; do
  arch=${job%%:*} roots=$ROOTS full=
  if [[ ${job#*:} == full ]]; then roots=$RUNTIME_ROOTS full=1; fi
  for suite in $SUITES; do
    FULL=$full python3 - "$DEST" "$suite" "$arch" $roots <<'PY' | while read -r archive file sha; do
import gzip, lzma, sys
dest, suite, arch, roots = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
# FULL: the ARMv6 smoke-run runtime is resolved without leaving out the toolchain's glibc.
have = set() if __import__("os").environ.get("FULL") else {"libc6", "libc6-dev", "libc-dev-bin", "libgcc-s1", "libgcc1", "libcrypt1", "libcrypt-dev", "linux-libc-dev", "libstdc++6"}
idx = {}
import os
for archive, s in (("debian", suite), ("debian", suite + "-updates"), ("debian-security", suite + "-security")):
    path = f"{dest}/{archive}/dists/{s}/main/binary-{arch}/Packages"
    if os.path.exists(path + ".gz"): text = gzip.open(path + ".gz").read().decode()
    elif os.path.exists(path + ".xz"): text = lzma.open(path + ".xz").read().decode()
    else: continue
    for para in text.split("\n\n"):
        f, key = {}, None
        for line in para.split("\n"):
            if line[:1] in (" ", "\t") and key: f[key] += " " + line.strip()
            elif ":" in line: key, v = line.split(":", 1); f[key] = v.strip()
        if "Package" in f: idx.setdefault(f["Package"], []).append((archive, f))
provides = {}
for n, vs in idx.items():
    for _, f in vs:
        for p in f.get("Provides", "").split(","):
            if p.strip(): provides.setdefault(p.split("(")[0].split(":")[0].strip(), n)
seen, queue = set(), list(roots)
while queue:
    n = queue.pop()
    if n in seen or n in have: continue
    seen.add(n)
    for archive, f in idx.get(n, []):
        print(archive, f["Filename"], f["SHA256"])
    f = idx[n][0][1] if n in idx else {}
    for field in ("Pre-Depends", "Depends"):
        for group in f.get(field, "").split(","):
            alts = [a.split("(")[0].split(":")[0].strip() for a in group.split("|") if a.strip()]
            pick = next((a for a in alts if a in have or a in seen or a in idx), None) or next((provides[a] for a in alts if a in provides), None)
            if not pick or pick in have: continue
            g = idx.get(pick, [(None, {})])[0][1]
            if pick not in roots and (g.get("Essential") == "yes" or g.get("Multi-Arch") == "foreign"): continue
            queue.append(pick)
PY
      out="$DEST/$archive/$file"
      if [[ ! -s $out ]]; then
        mkdir -p "$(dirname "$out")"
        get "${BASE[$archive]}/$file" "$out" 2>/dev/null ||
          { echo "WARN: ${BASE[$archive]}/$file is not on this mirror" >&2; continue; }
      fi
      echo "$sha  $out" | sha256sum -c --quiet -
    done
  done
done
du -sh "$DEST"
