# shellcheck shell=bash
# Shared helpers for deploy/local.sh: logging, root checks, packages, free ports, pid files.
# Sourced, never executed; expects HD_REPO to be set.

log() { printf 'local.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

require_root() {
  [[ ${EUID} -eq 0 ]] || die "'$1' must run as root (it starts PostgreSQL and Dovecot as their users)"
}

# Packages listed one per line in a file; blank lines ignored.
package_list() { grep -v '^[[:space:]]*$' "$1"; }

package_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# Installs the packages of the given lists that are missing.
install_packages() {
  local file pkg missing=()
  for file in "$@"; do
    while read -r pkg; do
      package_installed "${pkg}" || missing+=("${pkg}")
    done < <(package_list "${file}")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "deps: every package is installed"
    return 0
  fi
  apt_install "${missing[@]}"
}

# apt_install PACKAGE...: apt-get update, then install without recommends. Service starts from
# maintainer scripts are refused (Debian's policy-rc.d protocol, exit code 101), so installing
# dovecot, postgresql or docker.io never starts a system instance.
apt_install() {
  require_root deps
  log "deps: installing $*"
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e ${policy} ]]; then
    printf '#!/bin/sh\nexit 101\n' >"${policy}"
    chmod 755 "${policy}"
    own_policy=1
  fi
  local rc=0
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; } || rc=$?
  [[ ${own_policy} -eq 0 ]] || rm -f "${policy}"
  [[ ${rc} -eq 0 ]] || die "apt-get failed (exit ${rc})"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints the range ports are picked from: the larger stretch of 10000-65535 outside the kernel's
# ephemeral range (ip_local_port_range). Some picked ports are bound only later (the fake identity
# server Dovecot introspects, a fault server stopped and started again); inside the ephemeral range
# any outgoing connection or bind(0) in between could take them.
pick_port_range() {
  local lo=32768 hi=60999
  [[ -r /proc/sys/net/ipv4/ip_local_port_range ]] &&
    read -r lo hi </proc/sys/net/ipv4/ip_local_port_range
  local below=$((lo - 10000)) above=$((65535 - hi))
  if ((below >= above && below > 0)); then
    printf '10000 %s\n' "$((lo - 1))"
  elif ((above > 0)); then
    printf '%s 65535\n' "$((hi + 1))"
  else
    die "no ports outside the ephemeral range ${lo}-${hi} (net.ipv4.ip_local_port_range)"
  fi
}

# Prints a free port: $1 if set (an override from the environment), else a random unused one
# from pick_port_range not already in the global PICKED_PORTS.
PICKED_PORTS=" "
pick_port() {
  local port=${1:-}
  if [[ -n ${port} ]]; then
    port_in_use "${port}" && die "port ${port} (from the environment) is already in use"
  else
    local range first last tries=0
    range=$(pick_port_range) || exit 1
    read -r first last <<<"${range}"
    while :; do
      port=$((first + (RANDOM * 32768 + RANDOM) % (last - first + 1)))
      [[ ${PICKED_PORTS} == *" ${port} "* ]] || port_in_use "${port}" || break
      tries=$((tries + 1))
      [[ ${tries} -lt 200 ]] || die "no free port found"
    done
  fi
  PICKED_PORTS+="${port} "
  printf '%s\n' "${port}"
}

# True when the pid in file $1 names a live process.
pidfile_alive() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(head -n1 "$1")
  [[ ${pid} =~ ^[0-9]+$ ]] && kill -0 "${pid}" 2>/dev/null
}

# Sends SIGTERM to the pid in file $1 and waits up to $2 seconds (default 15) for it to exit,
# then SIGKILL. Quiet when the process is already gone.
stop_pidfile() {
  local file=$1 timeout=${2:-15} pid i
  pidfile_alive "${file}" || return 0
  pid=$(head -n1 "${file}")
  kill -TERM "${pid}" 2>/dev/null || return 0
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 0.1
  done
  log "pid ${pid} ignored SIGTERM for ${timeout}s: killing it"
  kill -KILL "${pid}" 2>/dev/null || true
}
