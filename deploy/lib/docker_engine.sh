# shellcheck shell=bash
# A Docker engine for deploy/local.sh image-test. A running engine is used as it is. Otherwise
# Debian's dockerd (package docker.io, installed when missing) is started for the duration of the
# run, with no bridge, no iptables rules and no forwarding: containers use the host's network
# only (--network host), so nothing outside 127.0.0.1 is touched. Its images live in the default
# /var/lib/docker, so a later run (or the system's own dockerd) reuses the base image and the
# build cache; its config, pid file and log live in $HD_SCRATCH/dockerd.

ENGINE_PID_FILE="" # set when this script started the daemon; engine_down stops only that one

engine_running() { docker info >/dev/null 2>&1; }

engine_up() {
  command -v docker >/dev/null || apt_install docker.io
  if engine_running; then
    log "image: using the running Docker engine $(docker version -f '{{.Server.Version}}')"
    return 0
  fi
  command -v dockerd >/dev/null || apt_install docker.io
  local dir=${HD_SCRATCH}/dockerd
  install -d -m 700 "${dir}"
  cat >"${dir}/daemon.json" <<'JSON'
{
  "bridge": "none",
  "iptables": false,
  "ip-forward": false,
  "ip-masq": false
}
JSON
  # --config-file: our settings only, never /etc/docker/daemon.json (it could set a bridge).
  dockerd --config-file "${dir}/daemon.json" --pidfile "${dir}/dockerd.pid" \
    </dev/null >>"${dir}/dockerd.log" 2>&1 &
  ENGINE_PID_FILE=${dir}/dockerd.pid
  local i
  for ((i = 0; i < 120; i++)); do
    engine_running && break
    kill -0 $! 2>/dev/null || die "dockerd exited at start, see ${dir}/dockerd.log"
    sleep 0.5
  done
  engine_running || die "dockerd did not answer within 60 s, see ${dir}/dockerd.log"
  log "image: started dockerd $(docker version -f '{{.Server.Version}}') (pid $(cat "${ENGINE_PID_FILE}"), no bridge, host network only; log ${dir}/dockerd.log)"
}

# engine_down: stops the daemon engine_up started (it stops its containerd with it); idempotent.
engine_down() {
  [[ -n ${ENGINE_PID_FILE} ]] || return 0
  stop_pidfile "${ENGINE_PID_FILE}" 60
  ENGINE_PID_FILE=""
  log "image: dockerd stopped"
}
