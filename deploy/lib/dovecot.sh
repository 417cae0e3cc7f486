# shellcheck shell=bash
# A private Dovecot 2.3 instance under $1/dovecot, on 127.0.0.1 only: IMAPS, IMAP (+STARTTLS),
# POP3S, POP3 (+STLS). Any user name logs in with one shared password; mail lives in
# $1/mail/<user>/Maildir, owned by the system user hdmail. XOAUTH2/OAUTHBEARER logins are checked
# against an RFC 7662 introspection endpoint on 127.0.0.1:OAUTH that the OAuth2 tests serve
# themselves (tests/support/fake_identity_server.hpp); without it those logins simply fail.

readonly HD_MAIL_USER=hdmail

ensure_mail_user() {
  if ! getent passwd "${HD_MAIL_USER}" >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "${HD_MAIL_USER}"
    log "created system user ${HD_MAIL_USER}"
  fi
}

# dovecot_write_conf INSTANCE IMAPS IMAP POP3S POP3 PASSWORD OAUTH [NAME]: the configuration in
# INSTANCE/NAME (default: dovecot); every instance serves the same mail under INSTANCE/mail.
dovecot_write_conf() {
  local inst=$1 imaps=$2 imap=$3 pop3s=$4 pop3=$5 password=$6 oauth=$7 name=${8:-dovecot} uid gid dh=""
  uid=$(id -u "${HD_MAIL_USER}")
  gid=$(id -g "${HD_MAIL_USER}")
  install -d -m 755 "${inst}/${name}" "${inst}/${name}/run" "${inst}/${name}/state"
  install -d -o "${uid}" -g "${gid}" -m 755 "${inst}/mail"
  [[ -r /usr/share/dovecot/dh.pem ]] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  cat >"${inst}/${name}/dovecot.conf" <<EOF
# Written by deploy/local.sh: a private test instance, not the system Dovecot.
instance_name = hd-$(basename "${inst}")-${name}-$$
base_dir = ${inst}/${name}/run
state_dir = ${inst}/${name}/state
log_path = ${inst}/${name}/dovecot.log
listen = 127.0.0.1
protocols = imap pop3

ssl = yes
ssl_cert = <${inst}/certs/server.pem
ssl_key = <${inst}/certs/server.key
${dh}
# Plaintext LOGIN/USER only over TLS (implicit or after STARTTLS/STLS).
disable_plaintext_auth = yes
auth_mechanisms = plain login xoauth2 oauthbearer
# Tests of wrong passwords should not wait the default 2 s.
auth_failure_delay = 0
auth_verbose = yes

first_valid_uid = ${uid}
first_valid_gid = ${gid}
mail_location = maildir:~/Maildir
passdb {
  driver = static
  args = password=${password}
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${inst}/dovecot/oauth2.conf.ext
}
# allow_all_users: without it a static userdb checks that the user exists with a passdb lookup,
# which both passdbs skip (each is limited to SASL mechanisms), so doveadm could not find users.
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${inst}/mail/%u allow_all_users=yes
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${pop3s}
    ssl = yes
  }
}
protocol imap {
  mail_max_userip_connections = 100
}
protocol pop3 {
  mail_max_userip_connections = 100
}
pop3_uidl_format = %08Xu%08Xv
EOF
  cat >"${inst}/dovecot/oauth2.conf.ext" <<EOF
# Dovecot 2.3 oauth2 passdb: POST token=<access token> to the tests' fake identity server.
introspection_mode = post
introspection_url = http://127.0.0.1:${oauth}/introspect
username_attribute = username
active_attribute = active
active_value = true
EOF
  doveconf -c "${inst}/dovecot/dovecot.conf" -n >"${inst}/dovecot/doveconf.txt" 2>&1 ||
    die "invalid Dovecot config: $(cat "${inst}/dovecot/doveconf.txt")"
}

# dovecot_start INSTANCE [NAME]
dovecot_start() {
  local inst=$1 name=${2:-dovecot}
  # The daemon must not inherit our stdout: `local.sh up | tail` would wait for it forever.
  dovecot -c "${inst}/${name}/dovecot.conf" </dev/null >>"${inst}/${name}/dovecot.log" 2>&1 ||
    die "Dovecot did not start, see ${inst}/${name}/dovecot.log"
  local i
  for ((i = 0; i < 100; i++)); do
    pidfile_alive "${inst}/${name}/run/master.pid" && return 0
    sleep 0.1
  done
  die "Dovecot did not write its pid file, see ${inst}/${name}/dovecot.log"
}

# dovecot_wait_port PORT: the master opens the listeners right after it daemonizes.
dovecot_wait_port() {
  local i
  for ((i = 0; i < 100; i++)); do
    port_in_use "$1" && return 0
    sleep 0.1
  done
  die "nothing listens on 127.0.0.1:$1"
}

# dovecot_verify INSTANCE IMAPS POP3S PASSWORD: a real TLS login on both implicit-TLS ports.
dovecot_verify() {
  local inst=$1 ca=$1/certs/ca.pem
  dovecot_wait_port "$2"
  dovecot_wait_port "$3"
  curl -sS --max-time 20 --cacert "${ca}" -u "envcheck:$4" "imaps://127.0.0.1:$2/" >/dev/null ||
    die "IMAPS login failed, see ${inst}/dovecot/dovecot.log"
  curl -sS --max-time 20 --cacert "${ca}" -u "envcheck:$4" "pop3s://127.0.0.1:$3/" >/dev/null ||
    die "POP3S login failed, see ${inst}/dovecot/dovecot.log"
  rm -rf "${inst}/mail/envcheck"
}

# dovecot_stop INSTANCE [NAME]: idempotent.
dovecot_stop() {
  local inst=$1 name=${2:-dovecot}
  pidfile_alive "${inst}/${name}/run/master.pid" || return 0
  stop_pidfile "${inst}/${name}/run/master.pid" 20
  log "dovecot: stopped"
}

# dovecot_write_fault_ctl INSTANCE NAME: writes INSTANCE/NAME-ctl, with which a test stops that
# Dovecot (`stop`: the master and every session, like a restart's first half) and starts it again.
dovecot_write_fault_ctl() {
  local inst=$1 name=$2
  cat >"${inst}/${name}-ctl" <<EOF
#!/bin/sh
# ${name}-ctl stop|start: the fault-test Dovecot, stopped or started again.
case "\$1" in
  stop) pid=\$(cat "${inst}/${name}/run/master.pid") && kill "\$pid" || exit 1
    while kill -0 "\$pid" 2>/dev/null; do sleep 0.1; done ;;
  start) exec dovecot -c "${inst}/${name}/dovecot.conf" </dev/null >>"${inst}/${name}/dovecot.log" 2>&1 ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
EOF
  chmod 755 "${inst}/${name}-ctl"
}
