# shellcheck shell=bash
# Throwaway certificates for the local environment (never use them anywhere else).
#   ca.pem               the CA that signs Dovecot's certificate (HD_TEST_CA_FILE)
#   server.pem/.key      signed by ca.pem, SAN IP:127.0.0.1 and DNS:localhost (Dovecot's)
#   other-ca.pem         an unrelated CA: "wrong CA is refused" tests (HD_TEST_OTHER_CA_FILE)
#   wrong-name.pem/.key  signed by ca.pem but only for wrong.example: host-name mismatch tests
#                        with a TLS server of their own
# Tests make more leaves with make_leaf (tests/integration/tls_peer_name_itest.cpp).

# make_ca DIR NAME CN
make_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
    -keyout "$1/$2.key" -out "$1/$2.pem" -subj "/CN=$3" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# make_leaf DIR NAME CN SAN: a server certificate signed by DIR/ca.pem (SAN "": none at all).
make_leaf() {
  local dir=$1 name=$2
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "${dir}/${name}.key" \
    -out "${dir}/${name}.csr" -subj "/CN=$3" 2>/dev/null
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" ${4:+"subjectAltName=$4"} >"${dir}/${name}.ext"
  openssl x509 -req -sha256 -days 30 -in "${dir}/${name}.csr" -CA "${dir}/ca.pem" \
    -CAkey "${dir}/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -extfile "${dir}/${name}.ext" -out "${dir}/${name}.pem" 2>/dev/null
  rm -f "${dir}/${name}.csr" "${dir}/${name}.ext"
}

# make_certs DIR
make_certs() {
  local dir=$1
  mkdir -p "${dir}"
  make_ca "${dir}" ca "helpdesk-ingest test CA"
  make_ca "${dir}" other-ca "unrelated test CA"
  make_leaf "${dir}" server localhost "IP:127.0.0.1,DNS:localhost"
  make_leaf "${dir}" wrong-name wrong.example "DNS:wrong.example"
  chmod 644 "${dir}"/*.pem
  chmod 600 "${dir}"/*.key
  openssl verify -CAfile "${dir}/ca.pem" "${dir}/server.pem" >/dev/null ||
    die "generated server certificate does not verify"
}
