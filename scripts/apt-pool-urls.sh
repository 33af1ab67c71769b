#!/usr/bin/env bash
# Prints the Debian pool base URLs (one a line, e.g. <origin>/debian/pool/main) that this
# machine's own apt sources point at, for setup-test-env.sh's fallback download of a .deb by its
# pool path. Read from the sources, so the repository names no mirror host.
#   DEBIAN_MIRROR=<origin>   use <origin>/debian and <origin>/debian-security instead
#   APT_ETC=<dir>            read <dir>/sources.list{,.d/} instead of /etc/apt (tests)
# apt itself reads only sources.list, sources.list.d/*.list (one-line form) and
# sources.list.d/*.sources (deb822): so does this; a disabled file (other suffix) is ignored, as
# is a deb822 stanza with `Enabled: no`.
set -euo pipefail

if [[ -n ${DEBIAN_MIRROR:-} ]]; then
  printf '%s\n' "${DEBIAN_MIRROR%/}/debian-security/pool/updates/main" "${DEBIAN_MIRROR%/}/debian/pool/main"
  exit 0
fi
etc=${APT_ETC:-/etc/apt}
shopt -s nullglob
lists=()
[[ -f $etc/sources.list ]] && lists+=("$etc/sources.list")
lists+=("$etc"/sources.list.d/*.list)
sources=("$etc"/sources.list.d/*.sources)

{
  if ((${#lists[@]})); then
    # deb [ options ] uri suite component...
    awk '{ sub(/#.*/, ""); gsub(/\[[^]]*\]/, "") }
      $1 == "deb" && NF >= 3 { print $2, $3 }' "${lists[@]}"
  fi
  if ((${#sources[@]})); then
    awk '
      function flush(   n, m, i, j, u, s) {
        if (types ~ /(^|[ \t])deb([ \t]|$)/ && tolower(enabled) !~ /^[ \t]*no[ \t]*$/) {
          n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (u[i] != "" && s[j] != "") print u[i], s[j]
        }
        types = uris = suites = enabled = last = ""
      }
      FNR == 1 { flush() }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]/ { if (last == "uris") uris = uris " " $0; else if (last == "suites") suites = suites " " $0; next }
      {
        i = index($0, ":"); key = tolower(substr($0, 1, i - 1)); val = substr($0, i + 1); last = key
        if (key == "types") types = val; else if (key == "uris") uris = val
        else if (key == "suites") suites = val; else if (key == "enabled") enabled = val
      }
      END { flush() }' "${sources[@]}"
  fi
} | awk '$1 ~ /^https?:\/\// {
    uri = $1; sub(/\/+$/, "", uri)
    # The security archive keeps its pool under pool/updates/ (bookworm-security, or the older
    # <suite>/updates form).
    print uri ($2 ~ /-security$|\/updates$/ ? "/pool/updates/main" : "/pool/main")
  }' | awk '!seen[$0]++'
