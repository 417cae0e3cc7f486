#!/usr/bin/env bash
# Local development environment for helpdesk-ingest on Debian 12: a private PostgreSQL and a
# private Dovecot on 127.0.0.1 (free ports, throwaway TLS certificates), the build, the tests
# and a demo. Runs as root. See usage() or `deploy/local.sh --help`.
set -euo pipefail

HD_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HD_SCRATCH=${HD_SCRATCH:-${HD_REPO}/.scratch}
HD_BUILD_DIR=${HD_BUILD_DIR:-build}
HD_ENV_NAME=${HD_ENV_NAME:-dev}

# shellcheck source=deploy/lib/common.sh
source "${HD_REPO}/deploy/lib/common.sh"
# shellcheck source=deploy/lib/certs.sh
source "${HD_REPO}/deploy/lib/certs.sh"
# shellcheck source=deploy/lib/postgres.sh
source "${HD_REPO}/deploy/lib/postgres.sh"
# shellcheck source=deploy/lib/dovecot.sh
source "${HD_REPO}/deploy/lib/dovecot.sh"
# shellcheck source=deploy/lib/demo.sh
source "${HD_REPO}/deploy/lib/demo.sh"
# shellcheck source=deploy/lib/docker_engine.sh
source "${HD_REPO}/deploy/lib/docker_engine.sh"
# shellcheck source=deploy/lib/base_image.sh
source "${HD_REPO}/deploy/lib/base_image.sh"
# shellcheck source=deploy/lib/image.sh
source "${HD_REPO}/deploy/lib/image.sh"
# shellcheck source=deploy/lib/fuzz.sh
source "${HD_REPO}/deploy/lib/fuzz.sh"

usage() {
  cat <<EOF
Usage: deploy/local.sh COMMAND

Commands:
  deps    apt-get install what deploy/packages-build.txt and packages-test.txt list (if missing)
  build   configure and build into \$HD_BUILD_DIR (default: build); binary: build/helpdesk-ingest
  up      start PostgreSQL and Dovecot on 127.0.0.1 under \$HD_SCRATCH/\$HD_ENV_NAME, write
          env.sh there and print its HD_TEST_* exports (a running environment is reused)
  down    stop the servers started by 'up' (idempotent)
  env     print the HD_TEST_* exports of the running environment: eval "\$(deploy/local.sh env)"
  test    deps, build, start a fresh environment, ctest -j2, stop it (exit code of ctest)
  demo    deps, build, start an environment, seed demo mailboxes, run the service once and in the
          background, show /status and the tickets, stop everything
  bench   deps, build, start a fresh environment, run the benchmarks (tests/bench) and print
          their figures (PostgreSQL with fsync and synchronous_commit on): raw IMAPS/POP3S
          fetches, the COPY floor, --once IMAPS/POP3S passes over one generated mailbox
          (with each pass's stage split) and the issue's Python ingestor over IMAPS, IMAP IDLE latency from delivery to committed row,
          MIME parsing, and one 150 MB message through --once and the API with the peak RSS
          of each (issue 11's 64 MB target); stop it
  image-test
          build the Docker image as helpdesk-ingest:dev and smoke-test it against a fresh
          environment on the host's network: --once read-only without capabilities, HEALTHCHECK
          healthy, docker stop exits 0, non-root USER, runtime-only libraries, OCI labels,
          docker-compose config; print a summary with the image size. Installs docker.io,
          debootstrap and docker-compose when missing, starts dockerd (no bridge, no iptables)
          when none runs and stops it afterwards, and builds debian:bookworm-slim from Debian
          packages when it is neither present nor pullable
  fuzz-smoke
          build the libFuzzer targets (tests/fuzz) with clang into \$HD_FUZZ_BUILD_DIR (default:
          build-fuzz) and run each for \$HD_FUZZ_SECONDS (default 40; six targets: 4 minutes)
          over its seeds; fails on the first crash, leak, timeout or memory blow-up
  sanitize
          build the unit tests (tests/unit) with ASan and UBSan into \$HD_SANITIZE_BUILD_DIR
          (default: build-asan), or with TSan when HD_SANITIZE_THREADS=1 (default: build-tsan),
          and run them; a sanitizer report fails its test. HD_SANITIZE_ALL=1: the service and
          the integration tests as well, against a fresh environment, every report (the
          service's too) written to <build dir>/sanitizer-reports; any report fails the run.
          Not part of 'test' or CI: the ASan build takes about 50 minutes on 2 cores (the
          integration tests and the service about 50 more)
  --help  this text

Environment (all optional):
  HD_SCRATCH      scratch root (default: <repo>/.scratch, gitignored)
  HD_ENV_NAME     environment name for up/down/env (default: dev)
  HD_BUILD_DIR    build directory, relative to the repo (default: build)
  HD_CMAKE_ARGS   extra cmake configure arguments (e.g. -DHD_SANITIZE=ON)
  HD_PG_PORT, HD_IMAPS_PORT, HD_IMAP_PORT, HD_POP3S_PORT, HD_POP3_PORT, HD_HTTP_PORT
                  fixed ports instead of random free ones
  HD_MAIL_PASSWORD  the shared mail password (default: random)
  HD_KEEP_SCRATCH=1 keep the scratch directory of 'test' even when it passes
  HD_DEBIAN_MIRROR, HD_DEBIAN_SECURITY_MIRROR
                  mirrors for the base image of 'image-test' (default: apt's configured sources)
  HD_BENCH_MESSAGES, HD_BENCH_RUNS  size of the bench's mailbox (2000) and runs (1; medians)
  HD_BENCH_IDLE_DELIVERIES  messages delivered while the service idles in IMAP IDLE (10)
  HD_BENCH_SERVICE  the helpdesk-ingest binary the bench runs (default: this build's)
  HD_BENCH_PG_LATENCY_MS  the passes reach PostgreSQL through a proxy that holds each direction
                  this long, as a database on another host (default 0: directly)
  HD_BENCH_BIG_MAIL_BYTES  size of the bench's big message (default 150000000)
EOF
}

instance_running() {
  pidfile_alive "$1/pg/data/postmaster.pid" && pidfile_alive "$1/pgfault/data/postmaster.pid" &&
    pidfile_alive "$1/dovecot/run/master.pid" && pidfile_alive "$1/dvfault/run/master.pid"
}

env_down() {
  local inst=$1
  [[ -d ${inst} ]] || return 0
  dovecot_stop "${inst}"
  dovecot_stop "${inst}" dvfault
  pg_stop "${inst}"
  pg_stop "${inst}" pgfault
}

# env_up INSTANCE: starts both servers (or reuses running ones) and writes INSTANCE/env.sh.
env_up() {
  local inst=$1
  require_root up
  if instance_running "${inst}"; then
    log "environment ${inst} is already running"
    return 0
  fi
  env_down "${inst}"
  # Unix socket paths (PostgreSQL's and Dovecot's, inside the scratch dir) must stay < 108 bytes.
  [[ ${#inst} -le 70 ]] || die "scratch path too long for Unix sockets: ${inst} (set HD_SCRATCH)"
  rm -rf "${inst}"
  mkdir -p "${inst}"
  chmod 755 "${inst}"
  runuser -u postgres -- test -x "${inst}" ||
    die "user postgres cannot reach ${inst}: set HD_SCRATCH to a world-searchable directory"
  ensure_mail_user

  local pg pgfault imaps imap pop3s pop3 oauth password f_imaps f_imap f_pop3s f_pop3
  pg=$(pick_port "${HD_PG_PORT:-}")
  pgfault=$(pick_port "")
  imaps=$(pick_port "${HD_IMAPS_PORT:-}")
  imap=$(pick_port "${HD_IMAP_PORT:-}")
  pop3s=$(pick_port "${HD_POP3S_PORT:-}")
  pop3=$(pick_port "${HD_POP3_PORT:-}")
  oauth=$(pick_port "${HD_OAUTH_PORT:-}")
  password=${HD_MAIL_PASSWORD:-$(openssl rand -hex 12)}

  make_certs "${inst}/certs"
  pg_start "${inst}" "${pg}"
  # A second cluster that fault tests stop like a crash (the shared one must stay up for the rest).
  pg_start "${inst}" "${pgfault}" pgfault
  pg_write_fault_ctl "${inst}" pgfault
  dovecot_write_conf "${inst}" "${imaps}" "${imap}" "${pop3s}" "${pop3}" "${password}" "${oauth}"
  dovecot_start "${inst}"
  dovecot_verify "${inst}" "${imaps}" "${pop3s}" "${password}"
  # A second Dovecot over the same mail that fault tests stop and start (a restart mid-pass).
  f_imaps=$(pick_port "")
  f_imap=$(pick_port "")
  f_pop3s=$(pick_port "")
  f_pop3=$(pick_port "")
  dovecot_write_conf "${inst}" "${f_imaps}" "${f_imap}" "${f_pop3s}" "${f_pop3}" "${password}" \
    "${oauth}" dvfault
  dovecot_start "${inst}" dvfault
  dovecot_write_fault_ctl "${inst}" dvfault
  dovecot_verify "${inst}" "${f_imaps}" "${f_pop3s}" "${password}"
  log "dovecot: imaps ${imaps}, imap ${imap}, pop3s ${pop3s}, pop3 ${pop3} on 127.0.0.1"

  cat >"${inst}/env.sh" <<EOF
export HD_TEST_PG_URL=postgresql://postgres@127.0.0.1:${pg}/postgres
export HD_TEST_FAULT_PG_URL=postgresql://postgres@127.0.0.1:${pgfault}/postgres
export HD_TEST_FAULT_PG_CTL=${inst}/pgfault-ctl
export HD_TEST_FAULT_IMAPS_PORT=${f_imaps}
export HD_TEST_FAULT_POP3S_PORT=${f_pop3s}
export HD_TEST_FAULT_DOVECOT_CTL=${inst}/dvfault-ctl
export HD_TEST_MAIL_HOST=127.0.0.1
export HD_TEST_IMAPS_PORT=${imaps}
export HD_TEST_IMAP_PORT=${imap}
export HD_TEST_POP3S_PORT=${pop3s}
export HD_TEST_POP3_PORT=${pop3}
export HD_TEST_CA_FILE=${inst}/certs/ca.pem
export HD_TEST_OTHER_CA_FILE=${inst}/certs/other-ca.pem
export HD_TEST_SERVER_CERT_FILE=${inst}/certs/server.pem
export HD_TEST_SERVER_KEY_FILE=${inst}/certs/server.key
export HD_TEST_WRONG_NAME_CERT_FILE=${inst}/certs/wrong-name.pem
export HD_TEST_WRONG_NAME_KEY_FILE=${inst}/certs/wrong-name.key
export HD_TEST_MAIL_ROOT=${inst}/mail
export HD_TEST_MAIL_PASSWORD=${password}
export HD_TEST_MAIL_UID=$(id -u "${HD_MAIL_USER}")
export HD_TEST_MAIL_GID=$(id -g "${HD_MAIL_USER}")
export HD_TEST_DOVECOT_CONF=${inst}/dovecot/dovecot.conf
export HD_TEST_OAUTH_PORT=${oauth}
EOF
  chmod 600 "${inst}/env.sh"
}

cmd_deps() {
  install_packages "${HD_REPO}/deploy/packages-build.txt" "${HD_REPO}/deploy/packages-test.txt"
}

cmd_build() {
  cd "${HD_REPO}"
  # shellcheck disable=SC2086 # HD_CMAKE_ARGS is a list of arguments
  cmake -S . -B "${HD_BUILD_DIR}" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${HD_CMAKE_ARGS:-}
  cmake --build "${HD_BUILD_DIR}" -j "$(nproc)"
}

# The unit tests (tests/unit, no servers) built with AddressSanitizer and UndefinedBehaviorSanitizer
# (-DHD_SANITIZE=ON), or with ThreadSanitizer when HD_SANITIZE_THREADS=1, into their own build
# directory, and run; any report fails its test. HD_SANITIZE_ALL=1: the service and the
# integration tests too, against a fresh environment (as 'test').
cmd_sanitize() {
  cmd_deps
  cd "${HD_REPO}"
  local option=HD_SANITIZE dir=build-asan build_args=() ctest_args=(-L unit) file
  if [[ ${HD_SANITIZE_THREADS:-0} == 1 ]]; then
    option=HD_SANITIZE_THREADS
    dir=build-tsan
  fi
  dir=${HD_SANITIZE_BUILD_DIR:-${dir}}
  if [[ ${HD_SANITIZE_ALL:-0} != 1 ]]; then
    build_args=(--target)
    for file in tests/unit/*_test.cpp; do
      build_args+=("$(basename "${file}" .cpp)")
    done
  fi
  # shellcheck disable=SC2086 # HD_CMAKE_ARGS is a list of arguments
  cmake -S . -B "${dir}" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-D${option}=ON" ${HD_CMAKE_ARGS:-}
  cmake --build "${dir}" -j "$(nproc)" "${build_args[@]}"
  # UBSan only prints and goes on by default: halt, so that a report is a failed test (ASan and
  # TSan fail the program on theirs).
  local asan=detect_leaks=1 ubsan=halt_on_error=1:print_stacktrace=1 tsan=second_deadlock_stack=1
  # One known leak of libpqxx 6.4's, not ours, and what TSan cannot see through uninstrumented
  # libraries (the files say which and why).
  local lsan=suppressions=${HD_REPO}/tests/support/lsan_suppressions.txt:print_suppressions=0
  tsan+=:suppressions=${HD_REPO}/tests/support/tsan_suppressions.txt
  local reports=${HD_REPO}/${dir}/sanitizer-reports
  if [[ ${HD_SANITIZE_ALL:-0} == 1 ]]; then
    # A service that a test starts and stops may report where no test looks (its log, its exit
    # code after SIGTERM): every report goes to a file of its own, and any file fails the run.
    rm -rf "${reports}"
    mkdir -p "${reports}"
    asan+=:log_path=${reports}/asan
    ubsan+=:log_path=${reports}/ubsan
    tsan+=:log_path=${reports}/tsan
    lsan+=:log_path=${reports}/lsan
    ctest_args=()
    start_test_environment
  fi
  local rc=0
  # GMime allocates through GLib's slice allocator, whose magazines pass blocks between threads
  # under GLib's own futex locks, which no sanitizer sees: plain malloc lets ASan check those
  # blocks and TSan order them.
  G_SLICE=always-malloc \
    ASAN_OPTIONS=${asan} UBSAN_OPTIONS=${ubsan} TSAN_OPTIONS=${tsan} LSAN_OPTIONS=${lsan} \
    ctest --test-dir "${HD_REPO}/${dir}" "${ctest_args[@]}" --output-on-failure -j2 \
    --timeout 900 || rc=$?
  if [[ ${HD_SANITIZE_ALL:-0} == 1 ]]; then
    if compgen -G "${reports}/*" >/dev/null; then
      log "sanitizer reports in ${reports}:"
      cat "${reports}"/*
      rc=1
    fi
    [[ ${rc} -ne 0 ]] || TEST_PASSED=1
  fi
  return "${rc}"
}

UP_INSTANCE=""
cmd_up() {
  local inst=${HD_SCRATCH}/${HD_ENV_NAME}
  UP_INSTANCE=${inst}
  trap '[[ -z ${UP_INSTANCE} ]] || env_down "${UP_INSTANCE}"' EXIT
  env_up "${inst}"
  UP_INSTANCE=""
  cat "${inst}/env.sh"
  log "load it with: source ${inst}/env.sh   (stop with: deploy/local.sh down)"
}

cmd_down() {
  env_down "${HD_SCRATCH}/${HD_ENV_NAME}"
}

cmd_env() {
  local inst=${HD_SCRATCH}/${HD_ENV_NAME}
  instance_running "${inst}" || die "no running environment in ${inst} (start it: deploy/local.sh up)"
  cat "${inst}/env.sh"
}

# Servers of 'test' and 'demo' stop on every exit: success, failure, Ctrl-C, SIGTERM.
TEST_INSTANCE=""
TEST_PASSED=0
cleanup_test() {
  demo_stop_service
  [[ -n ${TEST_INSTANCE} ]] || return 0
  env_down "${TEST_INSTANCE}"
  if [[ ${TEST_PASSED} -eq 1 && ${HD_KEEP_SCRATCH:-0} != 1 ]]; then
    rm -rf "${TEST_INSTANCE}"
  else
    log "logs and data kept in ${TEST_INSTANCE}"
  fi
  TEST_INSTANCE=""
}

# A fresh environment for a test run, stopped on every exit (cleanup_test); its variables exported.
start_test_environment() {
  TEST_INSTANCE=${HD_SCRATCH}/test-$$
  trap cleanup_test EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  env_up "${TEST_INSTANCE}"
  # shellcheck source=/dev/null
  source "${TEST_INSTANCE}/env.sh"
}

cmd_test() {
  cmd_deps
  cmd_build
  start_test_environment
  local rc=0
  ctest --test-dir "${HD_REPO}/${HD_BUILD_DIR}" --output-on-failure -j2 --timeout 900 || rc=$?
  [[ ${rc} -ne 0 ]] || TEST_PASSED=1
  return "${rc}"
}

cmd_demo() {
  cmd_deps
  cmd_build
  TEST_INSTANCE=${HD_SCRATCH}/demo
  TEST_PASSED=0 # keep the demo's logs, database and config for a look afterwards
  trap cleanup_test EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  env_up "${TEST_INSTANCE}"
  run_demo "${TEST_INSTANCE}"
}

cmd_bench() {
  cmd_deps
  # The issue's Python yardstick (tests/bench/python_ingestor.py) runs on Debian's python3.
  install_packages "${HD_REPO}/deploy/packages-bench.txt"
  cmd_build
  TEST_INSTANCE=${HD_SCRATCH}/bench-$$
  TEST_PASSED=1 # nothing to keep afterwards
  trap cleanup_test EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  HD_PG_DURABLE=1 env_up "${TEST_INSTANCE}"
  # shellcheck source=/dev/null
  source "${TEST_INSTANCE}/env.sh"
  local bench=${HD_REPO}/${HD_BUILD_DIR}/tests/bench
  log "ingest beside the wire: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
  "${bench}/wire_bench" --messages "${HD_BENCH_MESSAGES:-2000}" --runs "${HD_BENCH_RUNS:-1}" \
    --service "${HD_BENCH_SERVICE:-${HD_REPO}/${HD_BUILD_DIR}/helpdesk-ingest}" \
    --python-ingestor "${HD_REPO}/tests/bench/python_ingestor.py" --python /usr/bin/python3 \
    --pg-pid-file "${TEST_INSTANCE}/pg/data/postmaster.pid" \
    --dovecot-pid-file "${TEST_INSTANCE}/dovecot/run/master.pid" \
    --pg-latency-ms "${HD_BENCH_PG_LATENCY_MS:-0}"
  log "IMAP IDLE: delivery to commit"
  "${bench}/idle_latency_bench" --deliveries "${HD_BENCH_IDLE_DELIVERIES:-10}"
  log "MIME parsing over tests/corpus"
  "${bench}/mime_parse_bench" 50
  log "big mail: one 150 MB message through --once and the API (peak RSS, target <= 64 MB)"
  "${bench}/big_mail_bench" --message-bytes "${HD_BENCH_BIG_MAIL_BYTES:-150000000}" \
    --service "${HD_BENCH_SERVICE:-${HD_REPO}/${HD_BUILD_DIR}/helpdesk-ingest}"
}

IMAGE_LOCK_FD=""
cleanup_image_test() {
  image_remove_containers
  cleanup_test
  base_cleanup
  engine_down
}

cmd_image_test() {
  require_root image-test
  install_packages "${HD_REPO}/deploy/packages-test.txt"
  # One run per machine: a run that started dockerd stops it at the end.
  mkdir -p /run/lock
  exec {IMAGE_LOCK_FD}>/run/lock/helpdesk-ingest-image-test.lock
  flock -n "${IMAGE_LOCK_FD}" || {
    log "image-test: another run is in progress, waiting for it"
    flock -w 3600 "${IMAGE_LOCK_FD}" || die "image-test: the other run did not finish in an hour"
  }
  TEST_INSTANCE=${HD_SCRATCH}/image-$$
  trap cleanup_image_test EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  image_test "${TEST_INSTANCE}"
  TEST_PASSED=1
}

cmd_fuzz_smoke() {
  install_packages "${HD_REPO}/deploy/packages-build.txt" "${HD_REPO}/deploy/packages-fuzz.txt"
  fuzz_build
  fuzz_smoke "${HD_FUZZ_SECONDS:-40}"
}

main() {
  case "${1:-}" in
    deps) cmd_deps ;;
    build) cmd_build ;;
    up) cmd_up ;;
    down) cmd_down ;;
    env) cmd_env ;;
    test) cmd_test ;;
    demo) cmd_demo ;;
    bench) cmd_bench ;;
    image-test) cmd_image_test ;;
    fuzz-smoke) cmd_fuzz_smoke ;;
    sanitize) cmd_sanitize ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
