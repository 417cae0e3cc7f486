# shellcheck shell=bash
# The demo: seeds an IMAP mailbox "support" from tests/sample_mail/demo/*.eml and a POP3 mailbox
# "billing" from tests/sample_mail/demo-pop3/*.eml, runs helpdesk-ingest once and then as a
# service, and shows /status and the tickets. Expects env_up to have written INSTANCE/env.sh.

DEMO_PID=""

# seed_maildir USER DIR: every DIR/*.eml as a new message (tmp/ then rename into new/).
seed_maildir() {
  local user=$1 src=$2 maildir=${HD_TEST_MAIL_ROOT}/$1/Maildir file name n=0
  install -d -o "${HD_TEST_MAIL_UID}" -g "${HD_TEST_MAIL_GID}" -m 700 \
    "${HD_TEST_MAIL_ROOT}/${user}" "${maildir}" "${maildir}/cur" "${maildir}/new" "${maildir}/tmp"
  for file in "${src}"/*.eml; do
    n=$((n + 1))
    name="$(date +%s).M${n}P$$.hd-demo"
    install -o "${HD_TEST_MAIL_UID}" -g "${HD_TEST_MAIL_GID}" -m 600 "${file}" "${maildir}/tmp/${name}"
    mv "${maildir}/tmp/${name}" "${maildir}/new/${name}"
  done
  log "demo: ${n} messages in mailbox ${user}"
}

# demo_config_json DATABASE HTTP_PORT CA_FILE SUPPORT_SECRET BILLING_SECRET: the demo's two
# mailboxes on the private Dovecot; DATABASE and the secrets are JSON members ("url": "...",
# "password_file": "..."), so the image test can point them at container paths.
demo_config_json() {
  cat <<EOF
{
  "database": { $1 },
  "http": { "listen": "127.0.0.1:$2" },
  "mailboxes": [
    {
      "name": "support", "protocol": "imap",
      "host": "127.0.0.1", "port": ${HD_TEST_IMAPS_PORT}, "tls": "implicit",
      "ca_file": "$3",
      "username": "support", "auth": "password", $4,
      "folder": "INBOX", "after_ingest": "seen", "poll_interval_seconds": 10
    },
    {
      "name": "billing", "protocol": "pop3",
      "host": "127.0.0.1", "port": ${HD_TEST_POP3S_PORT}, "tls": "implicit",
      "ca_file": "$3",
      "username": "billing", "auth": "password", $5,
      "after_ingest": "delete", "poll_interval_seconds": 10
    }
  ]
}
EOF
}

demo_write_config() {
  local inst=$1 pg_port=$2 http_port=$3
  printf '%s\n' "${HD_TEST_MAIL_PASSWORD}" >"${inst}/demo-mail-password"
  chmod 600 "${inst}/demo-mail-password"
  demo_config_json "\"url\": \"postgresql://postgres@127.0.0.1:${pg_port}/helpdesk\"" \
    "${http_port}" "${HD_TEST_CA_FILE}" "\"password\": \"${HD_TEST_MAIL_PASSWORD}\"" \
    "\"password_file\": \"${inst}/demo-mail-password\"" >"${inst}/demo-config.json"
  chmod 600 "${inst}/demo-config.json"
}

demo_stop_service() {
  [[ -n ${DEMO_PID} ]] || return 0
  if kill -0 "${DEMO_PID}" 2>/dev/null; then
    kill -TERM "${DEMO_PID}" 2>/dev/null || true
    local i
    for ((i = 0; i < 350; i++)); do
      kill -0 "${DEMO_PID}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${DEMO_PID}" 2>/dev/null || true
  fi
  wait "${DEMO_PID}" 2>/dev/null || true
  DEMO_PID=""
}

demo_wait_http() {
  local url=$1 i
  for ((i = 0; i < 150; i++)); do
    curl -fsS --max-time 2 "${url}" >/dev/null 2>&1 && return 0
    kill -0 "${DEMO_PID}" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# demo_seed INSTANCE: loads INSTANCE/env.sh, fills the mailboxes support and billing, creates the
# database helpdesk; its PostgreSQL port in DEMO_PG_PORT (the image test seeds the same way).
DEMO_PG_PORT=""
demo_seed() {
  # shellcheck source=/dev/null
  source "$1/env.sh"
  DEMO_PG_PORT=${HD_TEST_PG_URL##*:}
  DEMO_PG_PORT=${DEMO_PG_PORT%%/*}
  seed_maildir support "${HD_REPO}/tests/sample_mail/demo"
  seed_maildir billing "${HD_REPO}/tests/sample_mail/demo-pop3"
  pg_psql "${DEMO_PG_PORT}" -d postgres -q -c "CREATE DATABASE helpdesk"
}

run_demo() {
  local inst=$1 bin pg_port http_port rc=0
  bin=${HD_REPO}/${HD_BUILD_DIR}/helpdesk-ingest
  [[ -x ${bin} ]] || die "${bin} is missing (run: deploy/local.sh build)"
  demo_seed "${inst}"
  pg_port=${DEMO_PG_PORT}
  http_port=$(pick_port "${HD_HTTP_PORT:-}")
  demo_write_config "${inst}" "${pg_port}" "${http_port}"

  log "demo: helpdesk-ingest --config ${inst}/demo-config.json --once"
  "${bin}" --config "${inst}/demo-config.json" --once || rc=$?
  log "demo: --once exited with ${rc}"

  log "demo: starting the service (log: ${inst}/demo-service.log)"
  "${bin}" --config "${inst}/demo-config.json" >"${inst}/demo-service.log" 2>&1 &
  DEMO_PID=$!
  demo_wait_http "http://127.0.0.1:${http_port}/healthz" ||
    die "the service did not answer /healthz, see ${inst}/demo-service.log"

  printf '\n== GET /status ==\n'
  if command -v jq >/dev/null; then
    curl -fsS "http://127.0.0.1:${http_port}/status" | jq .
  else
    curl -fsS "http://127.0.0.1:${http_port}/status"
    echo
  fi

  printf '\n== tickets ==\n'
  pg_psql "${pg_port}" -d helpdesk -P pager=off -c "
    SELECT t.reference, t.mailbox, t.requester_address AS requester, t.subject,
           count(m.id) AS messages
      FROM tickets t LEFT JOIN messages m ON m.ticket_id = t.id
     GROUP BY t.id ORDER BY t.id"
  printf '\n== messages recorded without a ticket ==\n'
  pg_psql "${pg_port}" -d helpdesk -P pager=off -c "
    SELECT mailbox, classification, from_address, subject
      FROM messages WHERE ticket_id IS NULL ORDER BY id"

  demo_stop_service
  log "demo: service stopped; config, logs and data stay in ${inst} until the next demo"
  return "${rc}"
}
