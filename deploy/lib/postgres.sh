# shellcheck shell=bash
# A private PostgreSQL cluster under $1/pg: trust auth on 127.0.0.1 only, its own port, its
# socket inside the scratch directory. Tuned for throwaway test data (fsync off), unless
# HD_PG_DURABLE=1 (the benchmark: fsync and synchronous_commit on, as in production).

pg_bin_dir() {
  if [[ -n ${HD_PG_BIN:-} ]]; then
    printf '%s\n' "${HD_PG_BIN}"
    return
  fi
  # Debian keeps initdb/pg_ctl off the PATH, in /usr/lib/postgresql/<major>/bin.
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
    sort -V | tail -n1)
  [[ -n ${dir} && -x ${dir}/initdb ]] || die "PostgreSQL server binaries not found (run: $0 deps)"
  printf '%s\n' "${dir}"
}

# pg_as_postgres CMD...: initdb and pg_ctl refuse to run as root.
pg_as_postgres() { runuser -u postgres -- "$@"; }

# pg_start INSTANCE PORT [NAME]: the cluster lives in INSTANCE/NAME (default: pg).
pg_start() {
  local inst=$1 port=$2 name=${3:-pg} bin durability='off'
  [[ ${HD_PG_DURABLE:-0} != 1 ]] || durability='on'
  bin=$(pg_bin_dir)
  install -d -o postgres -g postgres -m 700 "${inst}/${name}" "${inst}/${name}/run"
  pg_as_postgres "${bin}/initdb" -D "${inst}/${name}/data" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=trust --no-sync >"${inst}/${name}/initdb.log" 2>&1 ||
    die "initdb failed, see ${inst}/${name}/initdb.log"
  cat >>"${inst}/${name}/data/postgresql.conf" <<EOF

# deploy/local.sh: private test instance
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${inst}/${name}/run'
max_connections = 200
fsync = ${durability}
synchronous_commit = ${durability}
full_page_writes = ${durability}
log_min_messages = warning
EOF
  # Only loopback TCP and the private socket; every role is trusted (test data only).
  printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" \
    >"${inst}/${name}/data/pg_hba.conf"
  pg_as_postgres "${bin}/pg_ctl" -D "${inst}/${name}/data" -l "${inst}/${name}/postgres.log" -w -t 60 \
    start >/dev/null || die "PostgreSQL did not start, see ${inst}/${name}/postgres.log"
  log "postgresql: 127.0.0.1:${port} (data ${inst}/${name}/data)"
}

# pg_stop INSTANCE [NAME]: idempotent.
pg_stop() {
  local inst=$1 name=${2:-pg}
  [[ -f ${inst}/${name}/data/postmaster.pid ]] || return 0
  pidfile_alive "${inst}/${name}/data/postmaster.pid" || return 0
  pg_as_postgres "$(pg_bin_dir)/pg_ctl" -D "${inst}/${name}/data" -m fast -w -t 30 stop >/dev/null ||
    stop_pidfile "${inst}/${name}/data/postmaster.pid"
  log "postgresql: stopped"
}

# pg_psql PORT [psql args...]: as the superuser, over TCP like the service.
pg_psql() {
  local port=$1
  shift
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "${port}" -U postgres "$@"
}

# pg_write_fault_ctl INSTANCE NAME: writes INSTANCE/NAME-ctl, with which a test stops the cluster
# as a crash would (`stop`: pg_ctl -m immediate) and starts it again (`start`), as its owner.
pg_write_fault_ctl() {
  local inst=$1 name=$2 bin
  bin=$(pg_bin_dir)
  cat >"${inst}/${name}-ctl" <<EOF
#!/bin/sh
# ${name}-ctl stop|start: the fault-test PostgreSQL, stopped like a crash or started again.
case "\$1" in
  stop) exec runuser -u postgres -- "${bin}/pg_ctl" -D "${inst}/${name}/data" -m immediate -w -t 30 stop ;;
  start) exec runuser -u postgres -- "${bin}/pg_ctl" -D "${inst}/${name}/data" \\
    -l "${inst}/${name}/postgres.log" -w -t 60 start ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
EOF
  chmod 755 "${inst}/${name}-ctl"
}
