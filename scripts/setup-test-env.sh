#!/usr/bin/env bash
# Gives a Debian 12 x86_64 machine with no internet (only Debian's apt and the npm registry)
# what the end-to-end tests need to really cross-build Rust for the Pi:
#   * Debian's rustc-web + the aarch64/armv7 std rlibs extracted from Debian's
#     libstd-rust-web-dev .debs (never installed multiarch: a foreign libc6 on the host makes
#     threaded binaries hang in pthread_create under qemu -L), as the rustup toolchain
#     "$RPI_TEST_RUST_TOOLCHAIN" (default debian-web);
#   * cross gcc for aarch64/armhf/armel (armel = soft-float corpus case), qemu-user-static;
#   * relocatable "prebuilt" toolchain tarballs assembled from Debian's cross .debs, which the
#     tests serve over loopback HTTP as a user's `toolchain-url` would be.
# Idempotent: a re-run with everything in place takes well under a second.
#
#   scripts/setup-test-env.sh            (root when something is missing: apt-get install)
#   env: RPI_TEST_HOME (default /opt/rust-rpi-cross-test), DEBIAN_MIRROR (an origin to fetch
#        .debs from by pool path; default: the machine's own apt sources, see apt-pool-urls.sh)
set -euo pipefail

HOME_DIR=${RPI_TEST_HOME:-/opt/rust-rpi-cross-test}
RUST_DIR="$HOME_DIR/rust"
TC_DIR="$HOME_DIR/toolchains"
TOOLCHAIN_NAME=${RPI_TEST_RUST_TOOLCHAIN:-debian-web}
HERE=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
export DEBIAN_FRONTEND=noninteractive
T0=$(date +%s%N)
step() { printf '[setup %5ss] %s\n' "$(awk -v n="$(date +%s%N)" -v t="$T0" 'BEGIN{printf "%.1f", (n-t)/1e9}')" "$*"; }
# Root only when something has to be installed: a re-run with everything in place (npm test's
# pretest) works for any user.
need_root() {
  [[ $(id -u) == 0 ]] && return
  echo "setup-test-env.sh: $1 is missing, and installing it needs root:" >&2
  echo "  run 'sudo bash scripts/setup-test-env.sh' once, then run the command again" >&2
  exit 1
}

# ------------------------------------------------------------------ apt packages
PKGS=(rustc-web cargo-web gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf gcc-arm-linux-gnueabi
  libc6-dev-arm64-cross libc6-dev-armhf-cross libc6-dev-armel-cross binutils
  qemu-user-static patchelf xz-utils bzip2 zstd zip unzip curl librust-cc-dev
  librust-openssl-dev librust-rusqlite-dev)
# One dpkg-query for all: npm test's pretest runs this every time.
installed=" $(dpkg-query -W -f='${Package}:${Status} ' "${PKGS[@]}" 2>/dev/null | sed 's/:install ok installed / /g') "
missing=()
for p in "${PKGS[@]}"; do
  [[ $installed == *" $p "* ]] || missing+=("$p")
done
if ((${#missing[@]})); then
  need_root "apt packages ${missing[*]}"
  step "apt-get install ${missing[*]}"
  # A stale index for a suite we do not use must not stop us: install says what is missing.
  apt-get update -q >/dev/null || echo "WARN: apt-get update reported errors" >&2
  apt-get install -y -q --no-install-recommends "${PKGS[@]}" >/dev/null
else
  step "apt packages present"
fi
RUSTC_DEB_VERSION=$(dpkg-query -W -f='${Version}' rustc-web)

# fetch_deb PKG ARCH VERSION SRCPKG DEST -> prints the .deb path.
# Private apt state per foreign arch, so dpkg's architectures and the host apt lists are never
# touched. Falls back to the pool URL (control fields checked) when the mirror's index for that
# arch lacks the exact version (bookworm-security armhf has been seen stale).
fetch_deb() {
  local pkg=$1 arch=$2 ver=$3 src=$4 dest=$5 st="$5/apt-$2"
  mkdir -p "$st/lists/partial"
  local O=(-o "Dir::State::Lists=$st/lists" -o APT::Architectures::=amd64
    -o "APT::Architectures::=$arch" -o Debug::NoLocking=true -o APT::Sandbox::User=root -q)
  [[ -e $st/updated ]] || { apt-get "${O[@]}" update >/dev/null 2>&1 || true; touch "$st/updated"; }
  if (cd "$dest" && apt-get "${O[@]}" download "$pkg:$arch=$ver" >/dev/null 2>&1); then
    ls "$dest/${pkg}_"*"_$arch.deb" | head -1
    return
  fi
  local fn="${pkg}_${ver#*:}_$arch.deb" dir="${src:0:1}/$src" base pools
  [[ $src == lib* ]] && dir="${src:0:4}/$src"
  mapfile -t pools < <(bash "$HERE/apt-pool-urls.sh")
  ((${#pools[@]})) || echo "ERROR: no http(s) deb source in /etc/apt/sources.list{,.d}; set DEBIAN_MIRROR=<origin>" >&2
  for base in "${pools[@]}"; do
    if curl -fsS -o "$dest/$fn.part" "$base/$dir/$fn" 2>/dev/null &&
      [[ $(dpkg-deb -f "$dest/$fn.part" Package Version Architecture | tr '\n' ' ') == "Package: $pkg Version: $ver Architecture: $arch " ]]; then
      mv "$dest/$fn.part" "$dest/$fn"
      echo "WARN: $fn came from the pool URL without an index hash check" >&2
      echo "$dest/$fn"
      return
    fi
  done
  echo "ERROR: cannot download $pkg:$arch=$ver" >&2
  return 1
}

# ------------------------------------------------- rust toolchain with ARM std
STAMP="$RUST_DIR/.stamp"
want="rustc-web=$RUSTC_DEB_VERSION"
if [[ -f $STAMP && $(cat "$STAMP") == "$want" ]]; then
  step "rust toolchain dir $RUST_DIR up to date"
else
  need_root "the rust toolchain dir $RUST_DIR ($want)"
  step "building rust toolchain dir $RUST_DIR ($want)"
  W=$(mktemp -d /tmp/rpi-setup.XXXXXX)
  chmod 755 "$W"
  rm -rf "$RUST_DIR.new"
  mkdir -p "$RUST_DIR.new/bin" "$RUST_DIR.new/lib/rustlib"
  for spec in "aarch64-unknown-linux-gnu arm64" "armv7-unknown-linux-gnueabihf armhf"; do
    read -r triple arch <<<"$spec"
    deb=$(fetch_deb libstd-rust-web-dev "$arch" "$RUSTC_DEB_VERSION" rustc-web "$W")
    dpkg-deb -x "$deb" "$W/x-$arch"
    mv "$W/x-$arch/usr/lib/rustlib/$triple" "$RUST_DIR.new/lib/rustlib/$triple"
    step "  std for $triple"
  done
  ln -s /usr/lib/rustlib/x86_64-unknown-linux-gnu "$RUST_DIR.new/lib/rustlib/x86_64-unknown-linux-gnu"
  ln -s /usr/lib/rustlib/etc "$RUST_DIR.new/lib/rustlib/etc"
  # Debian's rustc derives its sysroot from librustc_driver's location (/usr), so a symlink
  # would not see the ARM std here: wrap it with --sysroot instead.
  for tool in rustc rustdoc; do
    cat >"$RUST_DIR.new/bin/$tool" <<EOF
#!/bin/sh
d=\$(CDPATH= cd -- "\$(dirname -- "\$0")/.." && pwd -P)
for a in "\$@"; do case "\$a" in --sysroot|--sysroot=*) exec /usr/bin/$tool "\$@";; esac; done
exec /usr/bin/$tool --sysroot "\$d" "\$@"
EOF
    chmod 755 "$RUST_DIR.new/bin/$tool"
  done
  ln -s /usr/bin/cargo "$RUST_DIR.new/bin/cargo"
  rm -rf "$RUST_DIR"
  mv "$RUST_DIR.new" "$RUST_DIR"
  echo "$want" >"$STAMP"
  rm -rf "$W"
fi
if command -v rustup >/dev/null; then
  rustup toolchain link "$TOOLCHAIN_NAME" "$RUST_DIR"
  step "rustup toolchain '$TOOLCHAIN_NAME' -> $RUST_DIR"
else
  echo "ERROR: rustup not found; the tests select the toolchain with cargo +$TOOLCHAIN_NAME" >&2
  exit 1
fi

# ----------------------------------------------- relocatable toolchain tarballs
mkdir -p "$TC_DIR"
for gnu in aarch64-linux-gnu arm-linux-gnueabihf; do
  f="$TC_DIR/$gnu-gcc12-debian12.tar.gz"
  if [[ -s $f && -s $f.sha256 ]]; then
    step "tarball $f present"
    continue
  fi
  need_root "the toolchain tarball $f"
  step "building $f"
  "$HERE/build-toolchain-tarball.sh" "$gnu" "$TC_DIR"
  (cd "$TC_DIR" && sha256sum "$(basename "$f")" >"$(basename "$f").sha256")
done
# Rust's std sources (with their vendored crates) for -Zbuild-std: Debian ships no prebuilt std
# for ARMv6, so the ARMv6 end-to-end case builds it. Only library/ is extracted (~70 MB).
BS_STAMP="$RUST_DIR/.build-std-stamp"
if [[ -f $BS_STAMP && $(cat "$BS_STAMP") == "$want" ]]; then
  step "std sources for -Zbuild-std present"
else
  need_root "the std sources for -Zbuild-std"
  step "std sources for -Zbuild-std (rust-web-src library/)"
  W=$(mktemp -d /tmp/rpi-src.XXXXXX)
  chmod 755 "$W"
  (cd "$W" && apt-get download -q -o APT::Sandbox::User=root "rust-web-src=$RUSTC_DEB_VERSION" >/dev/null)
  rm -rf "$RUST_DIR/lib/rustlib/src"
  mkdir -p "$RUST_DIR/lib/rustlib/src/rust"
  dpkg-deb --fsys-tarfile "$W"/rust-web-src_*.deb |
    tar -x -C "$RUST_DIR/lib/rustlib/src/rust" --strip-components=4 --wildcards './usr/src/rustc-*/library/*'
  # -Zbuild-std resolves std's dependencies only through $CARGO_HOME/config.toml (a --config
  # file is not applied to that resolve); tests point CARGO_HOME at this directory.
  mkdir -p "$HOME_DIR/cargo-home-build-std"
  printf '%s\n' '[source.crates-io]' 'replace-with = "rust-library-vendor"' \
    '[source.rust-library-vendor]' "directory = \"$RUST_DIR/lib/rustlib/src/rust/library/vendor\"" \
    '[net]' 'offline = true' >"$HOME_DIR/cargo-home-build-std/config.toml"
  rm -rf "$W"
  echo "$want" >"$BS_STAMP"
fi

# Both toolchains in one tree, as a user's multi-target toolchain bundle would be: lets one run
# of the action build aarch64 and armv7 together with a single toolchain-url.
multi="$TC_DIR/pi-multi-gcc12-debian12.tar.gz"
if [[ -s $multi && -s $multi.sha256 ]]; then
  step "tarball $multi present"
else
  need_root "the toolchain tarball $multi"
  step "building $multi"
  W=$(mktemp -d /tmp/rpi-multi.XXXXXX)
  mkdir -p "$W/pi-multi-gcc12-debian12"
  for gnu in aarch64-linux-gnu arm-linux-gnueabihf; do
    tar -xzf "$TC_DIR/$gnu-gcc12-debian12.tar.gz" -C "$W/pi-multi-gcc12-debian12" --strip-components=1
  done
  tar -C "$W" -czf "$multi.part" pi-multi-gcc12-debian12 && mv "$multi.part" "$multi"
  rm -rf "$W"
  (cd "$TC_DIR" && sha256sum "$(basename "$multi")" >"$(basename "$multi").sha256")
fi
step "done: toolchain '$TOOLCHAIN_NAME', tarballs in $TC_DIR"
bash "$HERE/setup-zig.sh"
bash "$HERE/setup-sysroot-fixtures.sh"
