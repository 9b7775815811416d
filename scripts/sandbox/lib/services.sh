#!/usr/bin/env bash
# Sourced by scripts/sandbox.sh (not run on its own): PostgreSQL and Redis: reuse whatever answers; start (and remember) only what we must.
# shellcheck shell=bash disable=SC2154

wait_tcp() {
  local host=$1 port=$2 secs=$3 i
  for ((i = 0; i < secs * 10; i++)); do tcp_open "$host" "$port" && return 0; sleep 0.1; done
  return 1
}

ensure_postgres() {
  local ver hba
  if ! tcp_open $HOST 5432; then
    compgen -G '/etc/postgresql/*/main' >/dev/null || apt_install postgresql
    ver=$(ls /etc/postgresql | sort -V | tail -1)
    if ! tcp_open $HOST 5432; then
      log "starting PostgreSQL $ver/main"
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start 8>&- 9>&-
      echo "$ver" >"$RUN/started-postgres"
    fi
    wait_tcp $HOST 5432 30 || die "PostgreSQL does not answer on $HOST:5432"
  fi
  command -v psql >/dev/null || apt_install postgresql-client
  if ! psql -h $HOST -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
    # Trust the postgres user on loopback (a local cluster only; a foreign server is not ours).
    ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
    hba=/etc/postgresql/$ver/main/pg_hba.conf
    [[ -n $ver && -f $hba ]] || die "cannot log in to PostgreSQL as postgres on $HOST without a password"
    log "adding 'host all postgres 127.0.0.1/32 trust' to $hba"
    sed -i '1i host all postgres 127.0.0.1/32 trust  # ringwise sandbox' "$hba"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
    sleep 0.5
    psql -h $HOST -U postgres -d postgres -tAc 'select 1' >/dev/null || die "PostgreSQL still refuses postgres@$HOST"
  fi
  if [[ -z $(psql -h $HOST -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'ringwise'") ]]; then
    log "creating database ringwise"
    psql -h $HOST -U postgres -d postgres -qc 'create database ringwise owner postgres' ||
      [[ -n $(psql -h $HOST -U postgres -d postgres -tAc "select 1 from pg_database where datname = 'ringwise'") ]]
  fi
}

ensure_redis() {
  tcp_open $HOST 6379 && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  if ! wait_tcp $HOST 6379 1; then
    log "starting redis-server on $HOST:6379"
    # Queues want what BullMQ's production guide asks for: an append-only file (a restart keeps
    # the jobs) and no eviction (an evicted job key is a lost call). The worker warns otherwise.
    redis-server --daemonize yes --bind $HOST --port 6379 --save "" --appendonly yes --dir "$RUN" \
      --maxmemory-policy noeviction \
      --pidfile "$RUN/redis.pid" --logfile "$LOGS/redis.log" 8>&- 9>&-
    wait_tcp $HOST 6379 10 || die "redis-server did not start (see $LOGS/redis.log)"
  fi
}

