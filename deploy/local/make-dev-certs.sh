#!/usr/bin/env bash
# Makes a development certificate authority and one certificate per Homeward
# component under DIR, with the openssl command line (docs/TLS.md, "A
# development CA"). For a laptop or a test deployment only: the CA key sits
# next to the certificates it signs.
#
#   deploy/local/make-dev-certs.sh /tmp/homeward-certs
#   deploy/local/make-dev-certs.sh /tmp/homeward-certs gateway client
#
# Writes DIR/ca.crt and DIR/ca.key (the CA), and for each NAME (default:
# gateway assessment planning referral follow-up client) DIR/NAME.crt and
# DIR/NAME.key. Every certificate names 127.0.0.1, localhost and NAME in its
# subjectAltName (plus the comma-separated DNS names or IP addresses in
# $HOMEWARD_CERT_EXTRA_SANS, e.g. "DNS:gw.example.org,IP:10.0.0.7"), is valid
# for both TLS servers and clients (a component both listens and dials), for
# 825 days. Keys are EC P-256, mode 0600.
#
# Idempotent: an existing CA is reused and an existing certificate or key is
# left alone, so running it again only adds what is missing. To renew a
# certificate, delete NAME.crt and NAME.key and run it again: processes pick
# the new files up within seconds.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
dir="$1"
shift
names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  names=(gateway assessment planning referral follow-up client)
fi

command -v openssl >/dev/null || {
  echo "make-dev-certs: openssl is not installed (apt-get install openssl)" >&2
  exit 1
}

mkdir -p "$dir"
# Keys are created unreadable by others from the start.
umask 077

if [[ ! -f "$dir/ca.crt" || ! -f "$dir/ca.key" ]]; then
  if [[ -e "$dir/ca.crt" || -e "$dir/ca.key" ]]; then
    echo "make-dev-certs: only one of $dir/ca.crt and $dir/ca.key exists;" \
      "remove it or restore the other" >&2
    exit 1
  fi
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 3650 \
    -subj "/O=Homeward development/CN=Homeward development CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 0600 "$dir/ca.key"
  chmod 0644 "$dir/ca.crt"
  echo "make-dev-certs: new CA $dir/ca.crt"
fi

for name in "${names[@]}"; do
  if [[ ! "$name" =~ ^[a-z0-9][a-z0-9._-]*$ ]]; then
    echo "make-dev-certs: '$name' is not a host-like name ([a-z0-9._-])" >&2
    exit 2
  fi
  crt="$dir/$name.crt"
  key="$dir/$name.key"
  if [[ -f "$crt" && -f "$key" ]]; then
    continue
  fi
  # $HOMEWARD_CERT_SANS replaces the default names (tests use it for a
  # certificate that does not name this host).
  sans="${HOMEWARD_CERT_SANS:-IP:127.0.0.1,DNS:localhost,DNS:$name}"
  if [[ -n "${HOMEWARD_CERT_EXTRA_SANS:-}" ]]; then
    sans="$sans,$HOMEWARD_CERT_EXTRA_SANS"
  fi
  ext="$(mktemp)"
  csr="$(mktemp)"
  trap 'rm -f "$ext" "$csr"' EXIT
  cat >"$ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans
EOF
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
    -keyout "$key.new" -out "$csr" \
    -subj "/O=Homeward development/CN=$name" 2>/dev/null
  openssl x509 -req -in "$csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$ext" -out "$crt.new" 2>/dev/null
  chmod 0600 "$key.new"
  chmod 0644 "$crt.new"
  # Key first, then the certificate, each renamed into place whole, so that
  # a process reloading the files never reads half of one.
  mv -f "$key.new" "$key"
  mv -f "$crt.new" "$crt"
  rm -f "$ext" "$csr"
  trap - EXIT
  echo "make-dev-certs: $crt (${sans})"
done
