#!/usr/bin/env bash
# Makes the Secrets the manifests of deploy/kubernetes/ mount, as one YAML
# file to `kubectl apply -f` (never commit it): homeward-keys (the principal
# secret and the data key at rest), homeward-api-keys (an API key file with
# one administrator key, printed once on stderr) and homeward-tls (a CA and
# one certificate per component, from deploy/local/make-dev-certs.sh).
#
#   deploy/kubernetes/make-secrets.sh OUT_DIR [NAMESPACE]
#   kubectl apply -f OUT_DIR/secrets.yaml
#
# OUT_DIR keeps the CA key and the certificates (mode 0600): rerunning reuses
# them and the secrets already made, so the output is stable. For a
# production cluster, put your own CA's certificates, your own API key file
# and keys made on a trusted machine into the same Secret names and keys.
# Every service certificate names *.<service>.<namespace>.svc.cluster.local
# (the pods' addresses in the route map); the gateway's names the gateway
# Service.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
out="$1"
namespace="${2:-homeward}"
here="$(cd "$(dirname "$0")" && pwd)"
certs="$out/certs"
mkdir -p "$certs"
umask 077

domain="$namespace.svc.cluster.local"
for name in assessment planning referral follow-up; do
  HOMEWARD_CERT_SANS="DNS:*.$name.$domain,DNS:$name.$domain" \
    "$here/../local/make-dev-certs.sh" "$certs" "$name" >/dev/null
done
HOMEWARD_CERT_SANS="DNS:gateway,DNS:gateway.$namespace,DNS:gateway.$domain,DNS:localhost,IP:127.0.0.1" \
  "$here/../local/make-dev-certs.sh" "$certs" gateway >/dev/null

[[ -f "$out/principal.secret" ]] || openssl rand -hex 32 >"$out/principal.secret"
[[ -f "$out/data.key" ]] || openssl rand -hex 32 >"$out/data.key"
if [[ ! -f "$out/api_keys.textproto" ]]; then
  admin_key="$(openssl rand -hex 24)"
  cat >"$out/api_keys.textproto" <<EOF
# homeward.internal.v1.ApiKeyFile (deploy/config/api_keys.example.textproto)
keys {
  key_id: "k8s-administrator"
  sha256_hex: "$(printf '%s' "$admin_key" | sha256sum | cut -d' ' -f1)"
  principal { user_id: "admin-1" role: ROLE_ADMINISTRATOR office_ids: "office-dakar" }
}
EOF
  echo "make-secrets: administrator API key (shown once): $admin_key" >&2
fi

b64() { base64 -w0 <"$1"; }
{
  echo "# Made by deploy/kubernetes/make-secrets.sh: holds keys, never commit."
  cat <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: homeward-keys
  namespace: $namespace
type: Opaque
data:
  principal.secret: $(b64 "$out/principal.secret")
  data.key: $(b64 "$out/data.key")
---
apiVersion: v1
kind: Secret
metadata:
  name: homeward-api-keys
  namespace: $namespace
type: Opaque
data:
  api_keys.textproto: $(b64 "$out/api_keys.textproto")
---
apiVersion: v1
kind: Secret
metadata:
  name: homeward-tls
  namespace: $namespace
type: Opaque
data:
  ca.crt: $(b64 "$certs/ca.crt")
EOF
  for name in gateway assessment planning referral follow-up; do
    echo "  $name.crt: $(b64 "$certs/$name.crt")"
    echo "  $name.key: $(b64 "$certs/$name.key")"
  done
} >"$out/secrets.yaml"
echo "make-secrets: $out/secrets.yaml (kubectl apply -f it)"
