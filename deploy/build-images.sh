#!/usr/bin/env bash
# Builds the images deploy/compose.yaml runs: ringwise/app (API, workers, migrator),
# ringwise/asterisk, ringwise/postgres, ringwise/redis and ringwise/caddy (the `tls` profile's
# proxy), all :local. Run again after a change: Docker's layer cache rebuilds only what changed
# (the npm layers only when package.json or package-lock.json did).
#
#   bash deploy/build-images.sh
#
# Base images are pulled when a registry answers; otherwise each is built locally from Debian's
# mirrors with mmdebstrap and `docker import` (node: Debian trixie's nodejs 20; the rest: bookworm
# or sid minbase), so no public image registry is needed. The npm registry is reached through
# the host's CA bundle (RINGWISE_CA_BUNDLE, default /etc/ssl/certs/ca-certificates.crt), passed
# to the build as the BuildKit secret `npm_ca`: it never lands in a layer.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CA=${RINGWISE_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PULL_TIMEOUT=${RINGWISE_PULL_TIMEOUT:-30}
say() { printf '[build-images] %s\n' "$*" >&2; }

# A docker CLI whose `build` runs BuildKit (secrets, RUN --mount): buildx if installed, else
# Debian's docker.io CLI, which has BuildKit built in.
if docker buildx version >/dev/null 2>&1; then
  build() { docker buildx build --load "$@"; }
elif [[ -x /usr/bin/docker ]]; then
  build() { DOCKER_BUILDKIT=1 /usr/bin/docker build "$@"; }
else
  build() { DOCKER_BUILDKIT=1 docker build "$@"; }
fi

# Closes every descriptor above stderr in the current (sub)shell: descriptors inherited from a
# CI runner push the one mmdebstrap hands apt above 9, and apt's hook then fails under dash.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
  done
  return 0
}

# A locally built base is tagged by a key of its recipe (suite, packages, apt options and
# BASE_RECIPE), so it is built once per machine and reused by every later build (Docker keeps it
# in /var/lib/docker); change the recipe and the key, hence the base, changes with it.
BASE_RECIPE=1

# base WANTED LOCAL_NAME SUITE [INCLUDE]: prints the image to build FROM: WANTED if present or
# pullable, else LOCAL_NAME:<key>, built from Debian when missing.
base() {
  local want=$1 local_name=$2 suite=$3 include=${4:-} opts=() key local_tag
  [[ -n $include ]] && opts+=("--include=$include")
  # sid's Release file is often "expired" to apt's eyes on a mirror snapshot.
  [[ $suite == sid ]] && opts+=(--aptopt='Acquire::Check-Valid-Until "false"')
  key=$(printf '%s\n' "$BASE_RECIPE" "$suite" minbase "${opts[@]}" | sha256sum | cut -c1-12)
  local_tag="$local_name:$key"
  if docker image inspect "$want" >/dev/null 2>&1; then
    echo "$want"
  elif docker image inspect "$local_tag" >/dev/null 2>&1; then
    echo "$local_tag"
  elif timeout "$PULL_TIMEOUT" docker pull -q "$want" >/dev/null 2>&1; then
    echo "$want"
  else
    command -v mmdebstrap >/dev/null || { say "mmdebstrap is needed to build $local_tag (apt-get install mmdebstrap)"; exit 1; }
    say "$want cannot be pulled: building $local_tag from Debian $suite"
    (close_inherited_fds && exec mmdebstrap --quiet --variant=minbase "${opts[@]}" "$suite" -) | docker import - "$local_tag" >/dev/null
    echo "$local_tag"
  fi
}

# The whole run is one function, read before it starts: editing this file while a build runs
# cannot change what the running build does.
main() {
  local NODE_BASE DEBIAN_BASE ASTERISK_BASE secret=()
  NODE_BASE=$(base "${RINGWISE_NODE_BASE:-node:20-bookworm-slim}" ringwise-base/node-trixie trixie nodejs,npm,ca-certificates)
  DEBIAN_BASE=$(base "${RINGWISE_DEBIAN_BASE:-debian:bookworm-slim}" ringwise-base/debian-bookworm bookworm)
  ASTERISK_BASE=$(base "${RINGWISE_ASTERISK_BASE:-debian:sid-slim}" ringwise-base/debian-sid sid)
  say "bases: node $NODE_BASE, debian $DEBIAN_BASE, asterisk $ASTERISK_BASE"

  [[ -s $CA ]] && secret=(--secret "id=npm_ca,src=$CA")
  build "${secret[@]}" --build-arg "BASE_IMAGE=$NODE_BASE" -f "$ROOT/Dockerfile" -t ringwise/app:local "$ROOT"
  build --build-arg "DEBIAN_BASE=$DEBIAN_BASE" -f "$ROOT/deploy/postgres/Dockerfile" -t ringwise/postgres:local "$ROOT"
  build --build-arg "DEBIAN_BASE=$DEBIAN_BASE" -f "$ROOT/deploy/redis/Dockerfile" -t ringwise/redis:local "$ROOT"
  build --build-arg "ASTERISK_BASE=$ASTERISK_BASE" -f "$ROOT/deploy/asterisk/Dockerfile" -t ringwise/asterisk:local "$ROOT"
  build --build-arg "DEBIAN_BASE=$DEBIAN_BASE" -f "$ROOT/deploy/caddy/Dockerfile" -t ringwise/caddy:local "$ROOT"
  say "built ringwise/app:local ringwise/postgres:local ringwise/redis:local ringwise/asterisk:local ringwise/caddy:local"
}

main "$@"
