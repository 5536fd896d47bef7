#!/usr/bin/env bash
# Regenerates the TLS test certificates in this directory (test-only keys: never use them for
# anything else). Needs the `openssl` command-line tool (OpenSSL 1.1.1 or 3.x).
#
#   ca.pem                           "SwiftWebSocket Test CA", the root the tests trust
#   other-ca.pem                     a second root that signed nothing we serve ("unknown CA")
#   server.pem / server.key          DNS:localhost, IP:127.0.0.1, IP:::1, signed by ca
#   ip-only.pem / ip-only.key        IP:127.0.0.1 only (host-name mismatch for "localhost")
#   expired.pem / expired.key        DNS:localhost, IP:127.0.0.1, valid 2020-01-01..2020-01-02 only
#   intermediate.pem                 an intermediate CA signed by ca
#   sni-chain.pem / sni.key          DNS:sni.test signed by intermediate, chain = leaf + intermediate
#   client.pem / client.key          a client certificate (clientAuth), signed by ca
#
# Every certificate except expired.pem is valid for 100 years from the day it was made.
# `openssl x509 -days` cannot date a certificate in the past, so expired.pem is issued with
# `openssl ca -startdate/-enddate` and a minimal CA configuration.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DAYS=36500
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# root NAME CN: a self-signed CA
root() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days "$DAYS" -subj "/O=SwiftWebSocket Tests/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem"
}

# issue NAME ISSUER CN EXTENSIONS: a certificate for NAME.key signed by ISSUER.pem/.key
issue() {
  local name=$1 issuer=$2 cn=$3 extensions=$4
  [[ -f "$name.key" ]] || key "$name.key"
  openssl req -new -key "$name.key" -subj "/O=SwiftWebSocket Tests/CN=$cn" -out "$WORK/$name.csr"
  printf '%b\n' "$extensions" >"$WORK/$name.ext"
  openssl x509 -req -in "$WORK/$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" -set_serial "0x$(openssl rand -hex 16)" \
    -sha256 -days "$DAYS" -extfile "$WORK/$name.ext" -out "$name.pem" 2>/dev/null
}

SERVER="basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth"

rm -f ./*.pem ./*.key
root ca "SwiftWebSocket Test CA"
root other-ca "SwiftWebSocket Other CA"
rm other-ca.key

issue server ca localhost "$SERVER\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
issue ip-only ca ip-only "$SERVER\nsubjectAltName=IP:127.0.0.1"
issue client ca "SwiftWebSocket Test Client" \
  "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth"
issue intermediate ca "SwiftWebSocket Test Intermediate" \
  "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign"
key sni.key
cp sni.key sni-chain.key
issue sni-chain intermediate sni.test "$SERVER\nsubjectAltName=DNS:sni.test"
rm sni-chain.key intermediate.key
cat intermediate.pem >>sni-chain.pem

# expired.pem: issued by `openssl ca` with explicit dates in the past.
key expired.key
openssl req -new -key expired.key -subj "/O=SwiftWebSocket Tests/CN=localhost" -out "$WORK/expired.csr"
touch "$WORK/index.txt"
openssl rand -hex 16 >"$WORK/serial"
cat >"$WORK/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
database = $WORK/index.txt
new_certs_dir = $WORK
serial = $WORK/serial
default_md = sha256
policy = policy_any
unique_subject = no
[policy_any]
organizationName = optional
commonName = supplied
[expired_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
CNF
openssl ca -batch -notext -config "$WORK/ca.cnf" -cert ca.pem -keyfile ca.key -in "$WORK/expired.csr" \
  -out expired.pem -startdate 20200101000000Z -enddate 20200102000000Z -extensions expired_ext 2>/dev/null

for certificate in server ip-only client sni-chain; do
  openssl verify -CAfile ca.pem -untrusted intermediate.pem "$certificate.pem" >/dev/null
done
rm ca.key   # nothing else is ever signed with it: regenerate everything instead
echo "certificates written to $(pwd)"
