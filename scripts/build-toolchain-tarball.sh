#!/usr/bin/env bash
# Assembles a relocatable cross toolchain tarball (gcc driver + binutils + glibc 2.36 sysroot)
# from Debian 12's cross packages without installing them (apt-get download + dpkg -x), so the
# tests have a real "prebuilt toolchain" to serve as a `toolchain-url`.
#
#   build-toolchain-tarball.sh aarch64-linux-gnu|arm-linux-gnueabihf OUT_DIR
# Writes OUT_DIR/<triple>-gcc12-debian12.tar.gz with one top folder:
#   bin/<triple>-{gcc,ar,strip,...}   lib/gcc-cross/<triple>/12/   lib/x86_64-linux-gnu/ (host libs)
#   <triple>/{lib,include}            the target sysroot (qemu -L points here)
set -euo pipefail
TRIPLE=${1:?usage: $0 <gnu-triple> <out-dir>}
OUT=${2:?usage: $0 <gnu-triple> <out-dir>}
case "$TRIPLE" in
  aarch64-linux-gnu) DA=arm64 ;;
  arm-linux-gnueabihf) DA=armhf ;;
  *) echo "unsupported triple $TRIPLE" >&2; exit 2 ;;
esac
GCCV=12
NAME="$TRIPLE-gcc$GCCV-debian12"
W=$(mktemp -d /tmp/tcbuild.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/debs" "$W/root" "$OUT"
chmod 755 "$W" "$W/debs"

# Cross packages are Architecture amd64/all: no foreign dpkg architecture is needed.
PKGS=("gcc-$GCCV-$TRIPLE" "cpp-$GCCV-$TRIPLE" "gcc-$TRIPLE" "cpp-$TRIPLE" "binutils-$TRIPLE"
  "libgcc-$GCCV-dev-$DA-cross" "libgcc-s1-$DA-cross" "libatomic1-$DA-cross"
  "libc6-$DA-cross" "libc6-dev-$DA-cross" "linux-libc-dev-$DA-cross"
  libbinutils libjansson4 libgmp10 libmpfr6 libmpc3 libisl23)
(cd "$W/debs" && apt-get download -q -o APT::Sandbox::User=root "${PKGS[@]}" >/dev/null)
for d in "$W"/debs/*.deb; do dpkg -x "$d" "$W/root"; done

R="$W/stage/$NAME"
mkdir -p "$W/stage"
mv "$W/root/usr" "$R"
G="$R/lib/gcc-cross/$TRIPLE/$GCCV"
# Linking Rust and C needs none of these; dropping them halves the tarball.
rm -rf "$R/share" "$G/plugin" "$G/lto1" "$R/bin/$TRIPLE-lto-dump-$GCCV" "$R/bin/$TRIPLE-ld.gold" \
  "$R/$TRIPLE/bin/ld.gold" "$R/bin/$TRIPLE-dwp" "$R/bin/$TRIPLE-gprof" \
  "$G/"lib{asan,hwasan,lsan,tsan,ubsan,gomp,itm}*

H="$R/lib/x86_64-linux-gnu"
keep='^lib(bfd-[0-9.]*-'"$DA"'|ctf-'"$DA"'|ctf-nobfd-'"$DA"'|opcodes-[0-9.]*-'"$DA"'|sframe|jansson|gmp|mpfr|mpc|isl)\.so'
for f in "$H"/*; do [[ $(basename "$f") =~ $keep ]] || rm -rf "$f"; done

# Debian's absolute /usr/... symlinks would point outside the tree once extracted elsewhere.
while IFS= read -r l; do
  tgt=$(readlink "$l")
  if [[ $tgt == /usr/* ]]; then
    ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$R/${tgt#/usr/}")" "$l"
  fi
done < <(find "$R" -type l)

# The host binaries must find the bundled libraries wherever the tree lands.
while IFS= read -r f; do
  [[ $(head -c 4 "$f" | od -An -c | tr -d ' ') == '177ELF' ]] || continue
  readelf -h "$f" 2>/dev/null | grep -q 'X86-64' || continue
  readelf -d "$f" 2>/dev/null | grep -q '(NEEDED)' || continue
  patchelf --set-rpath "\$ORIGIN/$(realpath -m --relative-to="$(dirname "$f")" "$H")" "$f"
done < <(find "$R/bin" "$R/lib" -type f)

# glibc's libc.so linker script names /usr/<triple>/lib/... absolutely; bare names are found
# through the driver's own -L paths instead.
while IFS= read -r f; do
  grep -q 'GNU ld script' "$f" && sed -i "s#/usr/$TRIPLE/lib/##g; s#/usr/lib/gcc-cross/$TRIPLE/$GCCV/##g" "$f"
done < <(find "$R/$TRIPLE/lib" "$R/lib/gcc-cross" -name '*.so' -type f -size -4k)

for t in gcc cpp gcc-ar gcc-nm gcc-ranlib; do
  [[ -e "$R/bin/$TRIPLE-$t" || ! -e "$R/bin/$TRIPLE-$t-$GCCV" ]] || ln -s "$TRIPLE-$t-$GCCV" "$R/bin/$TRIPLE-$t"
done

tar -C "$W/stage" -czf "$OUT/$NAME.tar.gz.part" "$NAME"
mv "$OUT/$NAME.tar.gz.part" "$OUT/$NAME.tar.gz"
ls -l "$OUT/$NAME.tar.gz" | awk '{printf "%s %.1f MiB\n", $9, $5/1048576}'
