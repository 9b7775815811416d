#!/usr/bin/env bash
# Render ringwise's Asterisk config into a folder Asterisk reads.
#
#   scripts/render-asterisk-config.sh SRC_DIR DEST_DIR [OVERLAY_DIR...]
#
# Every *.conf of SRC_DIR is copied to DEST_DIR; a file of the same name in an OVERLAY_DIR
# replaces it (the sandbox keeps its few differences in asterisk-config/sandbox/). In every file
# except the dialplan (extensions*.conf, whose ${...} are Asterisk channel variables), each
# ${NAME} placeholder is replaced from the environment. An unset or empty placeholder is an
# error: nothing is written and the script exits 1 naming every missing variable.
# Secrets are never committed: they only exist in the environment and in DEST_DIR (mode 0640);
# the ARI password only as a crypt hash (ARI_PASSWORD_CRYPT, made from ARI_PASSWORD).
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 SRC_DIR DEST_DIR [OVERLAY_DIR...]" >&2
  exit 2
fi
src=$1 dest=$2
shift 2
[[ -d $src ]] || { echo "render: no such folder: $src" >&2; exit 2; }

declare -A files=()
for f in "$src"/*.conf; do files[$(basename "$f")]=$f; done
for overlay in "$@"; do
  [[ -d $overlay ]] || { echo "render: no such overlay folder: $overlay" >&2; exit 2; }
  for f in "$overlay"/*.conf; do [[ -e $f ]] && files[$(basename "$f")]=$f; done
done
[[ ${#files[@]} -gt 0 ]] || { echo "render: no .conf files in $src" >&2; exit 2; }

is_verbatim() { [[ $1 == extensions*.conf ]]; }

# ari.conf stores the ARI password hashed (password_format = crypt): the hash is made here from
# ARI_PASSWORD (SHA-512 crypt, a fresh salt each render; read from stdin, never a command line).
if [[ -n ${ARI_PASSWORD:-} && -z ${ARI_PASSWORD_CRYPT:-} ]]; then
  ARI_PASSWORD_CRYPT=$(printf '%s' "$ARI_PASSWORD" | openssl passwd -6 -stdin) ||
    { echo "render: openssl is needed to hash ARI_PASSWORD" >&2; exit 1; }
  export ARI_PASSWORD_CRYPT
fi

# Check every placeholder first, so a failure writes nothing.
declare -A missing=()
for name in "${!files[@]}"; do
  is_verbatim "$name" && continue
  while IFS= read -r var; do
    [[ -n $var ]] || continue
    # printenv, not ${!var}: the values are read from the environment, so they must be exported.
    if [[ -z $(printenv "$var") ]]; then missing[$var]+="${missing[$var]:+, }$name"; fi
  done < <(grep -o '\${[A-Za-z_][A-Za-z0-9_]*}' "${files[$name]}" | sed 's/^\${//; s/}$//' | sort -u)
  if grep -n '\${' "${files[$name]}" | grep -v '\${[A-Za-z_][A-Za-z0-9_]*}' >/dev/null; then
    echo "render: malformed placeholder in ${files[$name]}:" >&2
    grep -n '\${' "${files[$name]}" | grep -v '\${[A-Za-z_][A-Za-z0-9_]*}' >&2
    exit 1
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  for var in "${!missing[@]}"; do echo "render: \${$var} is not set (used in ${missing[$var]})" >&2; done
  exit 1
fi

tmp=$(mktemp -d "${dest%/}.render.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for name in "${!files[@]}"; do
  if is_verbatim "$name"; then
    cp "${files[$name]}" "$tmp/$name"
  else
    # Substitute in one pass with awk reading values from the environment (no eval, no shell
    # expansion of the file: a value may hold any character).
    awk '{
      out = ""; line = $0
      while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
        name = substr(line, RSTART + 2, RLENGTH - 3)
        out = out substr(line, 1, RSTART - 1) ENVIRON[name]
        line = substr(line, RSTART + RLENGTH)
      }
      print out line
    }' "${files[$name]}" > "$tmp/$name"
  fi
  chmod 0640 "$tmp/$name"
done

mkdir -p "$dest"
chmod 0750 "$dest"
# Replace the folder's .conf files; files that are no longer rendered are removed.
for old in "$dest"/*.conf; do
  [[ -e $old ]] || continue
  [[ -n ${files[$(basename "$old")]+x} ]] || rm -f "$old"
done
for name in "${!files[@]}"; do mv -f "$tmp/$name" "$dest/$name"; done
echo "render: ${#files[@]} files into $dest"
