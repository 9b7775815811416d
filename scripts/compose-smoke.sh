#!/usr/bin/env bash
# The compose smoke test as scripts/test.sh runs it (in the background, beside the main test
# run): a Docker engine (installed and started when missing), the images of deploy/compose.yaml
# (deploy/build-images.sh: built when missing, and rebuilt from Docker's layer cache when the
# sources changed, so a warm machine rebuilds only the layers a change touches), then
# test/e2e/scale/compose-smoke.test.ts: `up`, a campaign through the API container dialed by the
# worker containers via the Asterisk container to the sandbox's SIPp carrier, the ledger read in
# the containers' PostgreSQL, `down -v`. Needs the sandbox up (its carrier). Exits non-zero on
# any failure; prints how long the build and the test took.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/lib/docker.sh
source scripts/lib/docker.sh
say() { printf '[compose-smoke %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# The test's own teardown runs `down -v`; if it never got there (stopped, crashed), its project's
# containers, network and volumes go here, by the compose project's label.
PROJECT=rwsmoke-s${RINGWISE_SANDBOX_SLOT:-0}
remove_project() {
  local label=com.docker.compose.project=$PROJECT ids
  ids=$(docker ps -aq --filter "label=$label" 2>/dev/null) && [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "label=$label" 2>/dev/null) && [ -n "$ids" ] && docker network rm $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "label=$label" 2>/dev/null) && [ -n "$ids" ] && docker volume rm $ids >/dev/null 2>&1
  return 0
}
on_exit() {
  remove_project
  stop_started_docker
}

t0=$(date +%s)
ensure_docker
trap on_exit EXIT
trap 'exit 143' TERM INT
say "docker engine ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"

t1=$(date +%s)
bash deploy/build-images.sh
t2=$(date +%s)
say "images ready in $((t2 - t1)) s"

RINGWISE_COMPOSE_SMOKE=1 npx vitest run --project integration test/e2e/scale/compose-smoke.test.ts
t3=$(date +%s)
say "passed: engine $((t1 - t0)) s, images $((t2 - t1)) s, smoke test $((t3 - t2)) s, in all $((t3 - t0)) s"
