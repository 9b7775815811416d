#!/usr/bin/env bash
# Sourced by scripts/sandbox.sh (not run on its own): logging, processes, packages.
# shellcheck shell=bash disable=SC2154

log() { printf '[sandbox%s] %s\n' "$SFX" "$*" >&2; }
die() { printf '[sandbox%s] ERROR: %s\n' "$SFX" "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
# Closes every descriptor above stderr in the current (sub)shell.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
  done
  return 0
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
udp_bound() { ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }

# A pid file's process is alive and is what we started (its command line holds $2).
alive() {
  local file=$1 pattern=$2 pid
  [[ -f $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

# Stop a pid-file process: TERM, then KILL after $3 seconds.
stop_pidfile() {
  local file=$1 pattern=$2 grace=${3:-5} pid i
  if alive "$file" "$pattern"; then
    pid=$(<"$file")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$file"
}

need_root() { [[ $(id -u) -eq 0 ]] || die "run as root (chroot, apt and raw sockets for SIPp's RTP need it)"; }

# ------------------------------------------------------------------------------------------------
# Packages
# ------------------------------------------------------------------------------------------------
APT_UPDATED=
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then apt-get update -qq; APT_UPDATED=1; fi
  if ! apt-get install -y -qq -o Dpkg::Options::=--force-confold "${missing[@]}" >"$LOGS/apt.log" 2>&1; then
    [[ -n $APT_UPDATED ]] && { cat "$LOGS/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
    apt-get update -qq
    APT_UPDATED=1
    apt-get install -y -qq -o Dpkg::Options::=--force-confold "${missing[@]}" >"$LOGS/apt.log" 2>&1 ||
      { cat "$LOGS/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
}

ensure_tools() {
  # baresip-core: the agents' TLS+SRTP softphone in tests (Debian's SIPp is built without TLS).
  apt_install mmdebstrap sip-tester baresip-core openssl sox espeak-ng curl iproute2 procps util-linux
  command -v node >/dev/null || die "node (20+) is required to build the carrier's audio"
}

