# Shared by the project's scripts: the Docker engine the compose smoke test runs on.
# shellcheck shell=bash

# Debian's docker.io (engine with BuildKit), docker-compose 1.29 and mmdebstrap (the local base
# images of deploy/build-images.sh), installed with apt when missing; dockerd started when no
# engine answers. Sets DOCKERD_STARTED_PID when it started one (the caller may stop it).
# Needs root, as the sandbox does. The engine keeps images and build cache in /var/lib/docker,
# so a machine builds the images once and later runs reuse them.
DOCKERD_STARTED_PID=
ensure_docker() {
  local missing=()
  [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "the compose smoke test needs ${missing[*]}: run as root, or apt-get install ${missing[*]}" >&2
      return 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
  docker info >/dev/null 2>&1 && return 0
  # No init system to ask (a container, a CI runner): start the engine ourselves, detached and
  # holding none of the caller's descriptors (a runner waits for its pipes to close).
  setsid /usr/sbin/dockerd </dev/null >>/var/log/ringwise-dockerd.log 2>&1 &
  DOCKERD_STARTED_PID=$!
  local i
  for i in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_STARTED_PID" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd did not start (log: /var/log/ringwise-dockerd.log)" >&2
  tail -20 /var/log/ringwise-dockerd.log >&2 || true
  return 1
}

# Stops the engine ensure_docker started (by its pid), if it did.
stop_started_docker() {
  [ -n "$DOCKERD_STARTED_PID" ] || return 0
  kill "$DOCKERD_STARTED_PID" 2>/dev/null || return 0
  local i
  for i in $(seq 1 40); do
    kill -0 "$DOCKERD_STARTED_PID" 2>/dev/null || return 0
    sleep 0.5
  done
}
