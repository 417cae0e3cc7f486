# shellcheck shell=bash
# deploy/local.sh image-test: builds the Docker image as helpdesk-ingest:dev and smoke-tests it
# against the private PostgreSQL and Dovecot of env_up, on the host's network (127.0.0.1 only):
# a --once ingest with a read-only root file system and no capabilities, the service turning
# healthy through the image's own HEALTHCHECK, a clean stop within the grace period, a non-root
# USER, runtime-only libraries, OCI labels, and `docker-compose config` of
# deploy/docker-compose.yml. Prints a summary; any failed check fails the run.
# Expects docker_engine.sh, base_image.sh and demo.sh (demo_seed, demo_config_json) to be sourced.

readonly HD_IMAGE=helpdesk-ingest:dev
readonly HD_IMAGE_STOP_GRACE=35 # seconds; the service finishes the message at hand within 30
IMAGE_CONTAINERS=()             # containers made by this run, removed on exit
IMAGE_RESULTS=()                # one "ok|FAILED  check" line per check, for the summary
IMAGE_FAILED=0
IMAGE_BUILD_SECONDS=0

# image_check NAME FUNCTION [ARGS...]: runs one check and records its outcome; never exits.
image_check() {
  local name=$1
  shift
  log "image: check: ${name}"
  if "$@"; then
    IMAGE_RESULTS+=("ok      ${name}")
  else
    IMAGE_RESULTS+=("FAILED  ${name}")
    IMAGE_FAILED=1
  fi
}

image_fail() {
  log "image: FAILED: $*"
  return 1
}

image_remove_containers() {
  local id
  for id in "${IMAGE_CONTAINERS[@]}"; do
    docker rm -f "${id}" >/dev/null 2>&1 || true
  done
  IMAGE_CONTAINERS=()
}

image_build() {
  local logfile=$1 version revision old new start=${SECONDS}
  version=$(sed -n 's/^project(helpdesk-ingest VERSION \([0-9.]*\).*/\1/p' "${HD_REPO}/CMakeLists.txt")
  revision=$(git -C "${HD_REPO}" rev-parse HEAD 2>/dev/null || echo unknown)
  [[ -z $(git -C "${HD_REPO}" status --porcelain --untracked-files=no 2>/dev/null) ]] ||
    revision+="-dirty"
  old=$(docker image inspect -f '{{.Id}}' "${HD_IMAGE}" 2>/dev/null || true)
  log "image: docker build --network host -t ${HD_IMAGE} (version ${version}, revision ${revision}; log ${logfile})"
  # --network host: the daemon has no bridge; apt inside the build reaches the mirror directly.
  docker build --network host --build-arg "VERSION=${version}" --build-arg "REVISION=${revision}" \
    -t "${HD_IMAGE}" "${HD_REPO}" >"${logfile}" 2>&1 || {
    tail -n 40 "${logfile}" >&2
    die "docker build failed, see ${logfile}"
  }
  IMAGE_BUILD_SECONDS=$((SECONDS - start))
  new=$(docker image inspect -f '{{.Id}}' "${HD_IMAGE}")
  # The previous build of this tag only: other images of a shared engine are left alone.
  [[ -z ${old} || ${old} == "${new}" ]] || docker image rm "${old}" >/dev/null 2>&1 || true
  log "image: built ${HD_IMAGE} in ${IMAGE_BUILD_SECONDS} s"
}

check_user() {
  local user uid
  user=$(docker image inspect -f '{{.Config.User}}' "${HD_IMAGE}")
  case ${user%%:*} in
    "" | root | 0) image_fail "the image's USER is '${user}' (root)" || return ;;
  esac
  uid=$(docker run --rm --network host --entrypoint id "${HD_IMAGE}" -u) || return
  [[ ${uid} =~ ^[0-9]+$ && ${uid} -ne 0 ]] || image_fail "the process runs as uid '${uid}'" || return
  log "image: USER ${user} (uid ${uid})"
}

# No compiler, headers or -dev packages in the final stage, and every shared library resolves.
check_runtime_only() {
  local build_packages missing
  build_packages=$(docker run --rm --network host --entrypoint dpkg-query "${HD_IMAGE}" \
    -W -f '${Package}\n' | grep -E -- '-dev$|^(gcc|g\+\+|cpp|clang)(-[0-9]+)?$|^(cmake|make|binutils)$' || true)
  [[ -z ${build_packages} ]] ||
    image_fail "build packages in the final stage: $(echo "${build_packages}" | tr '\n' ' ')" || return
  missing=$(docker run --rm --network host --entrypoint ldd "${HD_IMAGE}" \
    /usr/local/bin/helpdesk-ingest | grep 'not found' || true)
  [[ -z ${missing} ]] || image_fail "unresolved libraries: ${missing}"
}

check_labels() {
  local key value
  for key in version revision; do
    value=$(docker image inspect \
      -f "{{index .Config.Labels \"org.opencontainers.image.${key}\"}}" "${HD_IMAGE}")
    [[ -n ${value} ]] || image_fail "label org.opencontainers.image.${key} is missing" || return
    log "image: org.opencontainers.image.${key}=${value}"
  done
}

# image_write_config DIR UID PG_PORT HTTP_PORT: the container's /etc/helpdesk-ingest (config,
# CA) and /run/secrets, readable by the image's user only. The HTTP port is not 8080 on purpose:
# the HEALTHCHECK must follow http.listen.
image_write_config() {
  local dir=$1 uid=$2 pg_port=$3 http_port=$4
  install -d -m 755 "${dir}/etc" "${dir}/secrets"
  install -m 644 "${HD_TEST_CA_FILE}" "${dir}/etc/ca.pem"
  printf 'postgresql://postgres@127.0.0.1:%s/helpdesk\n' "${pg_port}" >"${dir}/secrets/database_url"
  printf '%s\n' "${HD_TEST_MAIL_PASSWORD}" >"${dir}/secrets/mail_password"
  local secret='"password_file": "/run/secrets/mail_password"'
  demo_config_json '"url_file": "/run/secrets/database_url"' "${http_port}" \
    /etc/helpdesk-ingest/ca.pem "${secret}" "${secret}" >"${dir}/etc/config.json"
  chown "${uid}" "${dir}/etc/config.json" "${dir}/secrets/database_url" "${dir}/secrets/mail_password"
  chmod 600 "${dir}/etc/config.json" "${dir}/secrets/database_url" "${dir}/secrets/mail_password"
}

# image_run NAME DIR [docker run options...] -- [service arguments...]: starts a hardened
# container as the README tells operators to run it; its id in IMAGE_RUN_ID.
IMAGE_RUN_ID=""
image_run() {
  local name=$1 dir=$2 opts=() id
  shift 2
  while [[ $# -gt 0 && $1 != -- ]]; do
    opts+=("$1")
    shift
  done
  [[ ${1:-} != -- ]] || shift
  id=$(docker create --name "${name}" --network host --read-only --tmpfs /tmp --cap-drop ALL \
    --security-opt no-new-privileges \
    -v "${dir}/etc/config.json:/etc/helpdesk-ingest/config.json:ro" \
    -v "${dir}/etc/ca.pem:/etc/helpdesk-ingest/ca.pem:ro" \
    -v "${dir}/secrets:/run/secrets:ro" "${opts[@]}" "${HD_IMAGE}" "$@") || return
  IMAGE_CONTAINERS+=("${id}")
  IMAGE_RUN_ID=${id}
  docker start "${id}" >/dev/null
}

# check_once DIR PG_PORT EXPECTED: --once ingests every seeded message and exits 0.
check_once() {
  local dir=$1 pg_port=$2 expected=$3 id rc stored
  image_run "hd-image-once-$$" "${dir}" -- --config /etc/helpdesk-ingest/config.json --once || return
  id=${IMAGE_RUN_ID}
  rc=$(docker wait "${id}") || return
  [[ ${rc} -eq 0 ]] || {
    docker logs "${id}" 2>&1 | tail -n 30 >&2
    image_fail "--once exited with ${rc}"
    return
  }
  stored=$(pg_psql "${pg_port}" -d helpdesk -tA -c "SELECT count(*) FROM messages")
  [[ ${stored} -eq ${expected} ]] ||
    image_fail "--once stored ${stored} messages, ${expected} were seeded" || return
  log "image: --once stored ${stored} of ${expected} messages"
}

# check_service DIR HTTP_PORT: the service turns healthy through the image's HEALTHCHECK (run as
# the image defines it), /status answers, and `docker stop` ends it with exit 0 in the grace
# period.
check_service() {
  local dir=$1 http_port=$2 id health="" i start elapsed rc
  image_run "hd-image-service-$$" "${dir}" || return
  id=${IMAGE_RUN_ID}
  for ((i = 0; i < 90; i++)); do
    health=$(docker inspect -f '{{.State.Health.Status}}' "${id}")
    [[ ${health} == starting ]] || break
    sleep 1
  done
  if [[ ${health} != healthy ]]; then
    docker inspect -f '{{json .State.Health}}' "${id}" >&2
    docker logs "${id}" 2>&1 | tail -n 30 >&2
    image_fail "health is '${health}' after ${i} s"
    return
  fi
  log "image: healthy after ${i} s ($(docker inspect -f '{{json .Config.Healthcheck.Test}}' "${id}"))"
  curl -fsS --max-time 5 "http://127.0.0.1:${http_port}/status" >/dev/null ||
    image_fail "/status did not answer on 127.0.0.1:${http_port}" || return
  start=${SECONDS}
  docker stop -t "${HD_IMAGE_STOP_GRACE}" "${id}" >/dev/null || return
  elapsed=$((SECONDS - start))
  rc=$(docker inspect -f '{{.State.ExitCode}}' "${id}") || return
  [[ ${rc} -eq 0 && ${elapsed} -lt ${HD_IMAGE_STOP_GRACE} ]] ||
    image_fail "docker stop: exit ${rc} after ${elapsed} s (grace ${HD_IMAGE_STOP_GRACE} s)" || return
  log "image: docker stop: exit 0 after ${elapsed} s"
}

check_compose() {
  local compose=(docker-compose)
  if ! command -v docker-compose >/dev/null; then
    if docker compose version >/dev/null 2>&1; then
      compose=(docker compose)
    else
      apt_install docker-compose
    fi
  fi
  # Silent when valid: a warning (a key this Compose ignores) fails the check too.
  local output
  output=$("${compose[@]}" -f "${HD_REPO}/deploy/docker-compose.yml" config -q 2>&1) || {
    image_fail "docker-compose config: ${output}"
    return
  }
  [[ -z ${output} ]] || image_fail "docker-compose config warns: ${output}"
}

image_summary() {
  local size
  size=$(docker image inspect -f '{{.Size}}' "${HD_IMAGE}" 2>/dev/null || echo 0)
  printf '\n== image-test summary ==\n'
  printf '%s\n' "${IMAGE_RESULTS[@]}"
  printf 'image      %s, %d MB, built in %d s\n' "${HD_IMAGE}" $((size / 1000000)) "${IMAGE_BUILD_SECONDS}"
  printf 'base       %s (%s)\n' "${HD_BASE_IMAGE}" "${BASE_ORIGIN}"
  printf 'took       %d s\n' "${SECONDS}"
  printf 'result     %s\n\n' "$([[ ${IMAGE_FAILED} -eq 0 ]] && echo PASSED || echo FAILED)"
}

# image_test INSTANCE: the whole run; returns non-zero when any check failed.
image_test() {
  local inst=$1 pg_port http_port uid seeded
  SECONDS=0
  engine_up
  base_image
  mkdir -p "${inst}"
  image_build "${inst}/build.log"
  image_check "USER is not root" check_user
  image_check "final stage has runtime libraries only" check_runtime_only
  image_check "OCI labels: version and revision" check_labels
  image_check "deploy/docker-compose.yml passes docker-compose config" check_compose

  env_up "${inst}"
  demo_seed "${inst}"
  pg_port=${DEMO_PG_PORT}
  http_port=$(pick_port "")
  seeded=$(find "${HD_REPO}/tests/sample_mail/demo" "${HD_REPO}/tests/sample_mail/demo-pop3" \
    -name '*.eml' | wc -l)
  uid=$(docker run --rm --network host --entrypoint id "${HD_IMAGE}" -u)
  image_write_config "${inst}/container" "${uid}" "${pg_port}" "${http_port}"

  image_check "--once ingests the seeded mailboxes (read-only, no capabilities)" \
    check_once "${inst}/container" "${pg_port}" "${seeded}"
  image_check "service turns healthy on port ${http_port}, docker stop exits 0" \
    check_service "${inst}/container" "${http_port}"
  image_summary
  [[ ${IMAGE_FAILED} -eq 0 ]]
}
