#!/usr/bin/env bash
# Plays deploy/kubernetes/play/homeward-play.yaml with `podman kube play`
# (the gateway and one assessment replica from the image, configs from a
# ConfigMap, secret files from a host directory owned by the container user
# with mode 0600, the data on a PersistentVolumeClaim) and calls the gateway
# from the host on 127.0.0.1: /healthz, then a case registered and read back
# over the JSON face with a key of its own. Always ends with
# `podman kube down` and removes the claim's volume.
#
#   tests/image/kube_play_test.sh [IMAGE]     # default localhost/homeward:dev
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
image="${1:-${HOMEWARD_IMAGE:-localhost/homeward:dev}}"
source "$repo/tests/image/podman-env.sh"
manifest_in="$repo/deploy/kubernetes/play/homeward-play.yaml"
pod=homeward-play
volume=homeward-play-assessment-data

tmp="$(mktemp -d /tmp/homeward-kube-play.XXXXXX)"
manifest="$tmp/homeward-play.yaml"
played=0  # set once `podman kube play` ran: only then is the pod ours
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$played" = 1 ]; then
    for c in assessment gateway; do
      echo "--- $c log (last 20 lines)" >&2
      podman logs "$pod-$c" 2>&1 | tail -n 20 >&2 || true
    done
  fi
  if [ "$played" = 1 ]; then
    podman kube down "$manifest" >/dev/null 2>&1 || true
    # kube down leaves the volumes: the claim's and the one podman made of
    # the ConfigMap.
    podman volume rm -f "$volume" homeward-play-config >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT INT TERM
fail() { echo "kube_play_test: FAIL: $*" >&2; exit 1; }
podman_env_init "$tmp"

if podman pod exists "$pod"; then
  fail "a pod named $pod already runs (podman kube down $manifest_in)"
fi

# A free port on the host's loopback (nothing answers a connection to it).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 20000))
    (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  return 1
}
http_port="$(free_port)"
grpc_port="$(free_port)"
[ "$http_port" != "$grpc_port" ] || grpc_port="$(free_port)"

# The secret files: the deployment's principal secret and an API key file
# with one supervisor key, owned by the container user, mode 0600.
secrets="$tmp/secrets"
mkdir -m 0700 "$secrets"
od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$secrets/principal.secret"
key="hw_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
cat >"$secrets/api_keys.textproto" <<KEYS
keys {
  key_id: "play-supervisor"
  sha256_hex: "$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)"
  principal { user_id: "play-supervisor" role: ROLE_SUPERVISOR office_ids: "office-demo" }
}
KEYS
chown -R 10001:10001 "$secrets"
chmod 0600 "$secrets"/*

sed -e "s|/var/lib/homeward-play/secrets|$secrets|" \
  -e "s|hostPort: 7080|hostPort: $http_port|" \
  -e "s|hostPort: 7000|hostPort: $grpc_port|" \
  -e "s|image: localhost/homeward:dev|image: $image|" "$manifest_in" >"$manifest"
grep -q "hostPort: $http_port" "$manifest" || fail "the manifest's http hostPort was not rewritten"

played=1
podman kube play "$manifest" >/dev/null 2>"$tmp/play.log" ||
  { cat "$tmp/play.log" >&2; fail "podman kube play failed"; }
base="http://127.0.0.1:$http_port"
wait_for_url "$base/healthz" 90 "$pod-gateway" || fail "$base/healthz did not answer 200 (90 s at most)"
echo "kube_play_test: gateway healthy on $base" >&2

# Published on the host's loopback only.
podman port "$pod-gateway" 7080/tcp | grep -qx "127.0.0.1:$http_port" ||
  fail "7080 is published as '$(podman port "$pod-gateway" 7080/tcp)', not 127.0.0.1:$http_port"

call() {  # call METHOD JSON: POSTs to the gateway's JSON face, prints the reply
  curl -sS --max-time 30 -X POST "$base/homeward.v1.CaseService/$1" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $key" -d "$2"
}
# The replica may still be opening its data when the gateway is up: retry
# while the reply carries no case (UNAVAILABLE).
deadline=$((SECONDS + 60))
while :; do
  registered="$(call RegisterCase '{"requestId":"kube-play-1","case":{
    "returnee":{"givenName":"Awa","familyName":"Ndiaye","sex":"SEX_FEMALE",
                "dateOfBirth":{"year":1990,"month":5,"day":17},"nationality":"SN"},
    "returnInfo":{"country":"SN","region":"Dakar","locality":"Pikine",
                  "returnDate":{"year":2025,"month":10,"day":1},
                  "returnType":"RETURN_TYPE_ASSISTED_VOLUNTARY"},
    "officeId":"office-demo","caseManagerId":"cm-demo","programmeId":"sn_reintegration"}}' || true)"
  case_id="$(json_field caseId <<<"$registered")"
  [ -n "$case_id" ] && break
  [ "$SECONDS" -lt "$deadline" ] ||
    fail "RegisterCase answered without a caseId (first 200 bytes: ${registered:0:200})"
  sleep 2
done
read_back="$(call GetCase "{\"caseId\":\"$case_id\"}")"
[ "$(json_field caseId <<<"$read_back")" = "$case_id" ] || fail "GetCase did not return case $case_id"
[ "$(json_field familyName <<<"$read_back")" = Ndiaye ] || fail "GetCase returned another returnee"
echo "kube_play_test: registered and read back case $case_id through the gateway" >&2

# The replica's data are on the claim's volume, written as 10001.
podman exec "$pod-assessment" /bin/sh -c 'test -f /var/lib/homeward/assessment-0/rocksdb/CURRENT' ||
  fail "no RocksDB database on the assessment replica's volume"
uids="$(podman exec "$pod-assessment" /bin/sh -c 'grep ^Uid: /proc/1/status')"
[[ "$uids" =~ ^Uid:[[:space:]]+10001[[:space:]] ]] || fail "the replica runs as '$uids', not 10001"
echo "kube_play_test: PASS" >&2
