#!/usr/bin/env bash
# Runs the Homeward image as it ships (the all-in-one entrypoint and its
# default arguments: both public faces on TLS) and calls it: waits for
# /healthz, registers a case over the JSON face with the development key the
# process made in its data directory, reads it back; checks the process runs
# as the non-root user 10001 and writes only in /var/lib/homeward (the root
# file system is mounted read-only, the data directory is a volume). The JSON
# face is published on 127.0.0.1 only, on a port podman picks. The container
# and its volume are always removed.
#
#   tests/image/image_test.sh [IMAGE]     # default localhost/homeward:dev
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
image="${1:-${HOMEWARD_IMAGE:-localhost/homeward:dev}}"
source "$repo/tests/image/podman-env.sh"

tmp="$(mktemp -d /tmp/homeward-image-test.XXXXXX)"
name="homeward-image-test-$$"
volume="$name-data"
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && podman container exists "$name" 2>/dev/null; then
    echo "--- container log (last 30 lines)" >&2
    podman logs "$name" 2>&1 | tail -n 30 >&2 || true
  fi
  podman rm -f -t 5 "$name" >/dev/null 2>&1 || true
  podman volume rm -f "$volume" >/dev/null 2>&1 || true
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT INT TERM
fail() { echo "image_test: FAIL: $*" >&2; exit 1; }
podman_env_init "$tmp"

# The certificate of the default arguments (/etc/homeward/tls/tls.{crt,key},
# the names of a Kubernetes TLS secret), from a development CA; the key is
# the container user's, mode 0600, as the process requires.
bash "$repo/deploy/local/make-dev-certs.sh" "$tmp/ca" gateway >/dev/null
mkdir "$tmp/tls"
cp "$tmp/ca/gateway.crt" "$tmp/tls/tls.crt"
cp "$tmp/ca/gateway.key" "$tmp/tls/tls.key"
chown -R 10001:10001 "$tmp/tls"
chmod 0600 "$tmp/tls/tls.key"

podman volume create "$volume" >/dev/null
podman run -d --name "$name" --read-only \
  -v "$volume:/var/lib/homeward" -v "$tmp/tls:/etc/homeward/tls:ro" \
  -p 127.0.0.1::7080 "$image" >/dev/null
port="$(podman port "$name" 7080/tcp | sed 's/.*://')"
[ -n "$port" ] || fail "no published port for 7080"
base="https://127.0.0.1:$port"
curl_tls=(--cacert "$tmp/ca/ca.crt")

wait_for_url "$base/healthz" 90 "$name" "${curl_tls[@]}" || fail "$base/healthz did not answer 200 (90 s at most)"
echo "image_test: healthy on $base" >&2

# The process (PID 1 of the container) runs as homeward, 10001:10001.
uids="$(podman exec "$name" /bin/sh -c 'grep ^Uid: /proc/1/status')"
gids="$(podman exec "$name" /bin/sh -c 'grep ^Gid: /proc/1/status')"
[[ "$uids" =~ ^Uid:[[:space:]]+10001[[:space:]]+10001[[:space:]]+10001[[:space:]]+10001$ ]] ||
  fail "the process runs as '$uids', not 10001"
[[ "$gids" =~ ^Gid:[[:space:]]+10001[[:space:]] ]] || fail "the process's group is '$gids', not 10001"

key="$(podman exec "$name" cat /var/lib/homeward/dev-api-key)"
[ -n "$key" ] || fail "no development key in /var/lib/homeward"
call() {  # call METHOD JSON: POSTs to the JSON face, prints the reply
  curl -sS --max-time 30 "${curl_tls[@]}" -X POST "$base/homeward.v1.CaseService/$1" \
    -H 'Content-Type: application/json' -H "Authorization: Bearer $key" -d "$2"
}
registered="$(call RegisterCase '{"requestId":"image-test-1","case":{
  "returnee":{"givenName":"Awa","familyName":"Ndiaye","sex":"SEX_FEMALE",
              "dateOfBirth":{"year":1990,"month":5,"day":17},"nationality":"SN"},
  "returnInfo":{"country":"SN","region":"Dakar","locality":"Pikine",
                "returnDate":{"year":2025,"month":10,"day":1},
                "returnType":"RETURN_TYPE_ASSISTED_VOLUNTARY"},
  "officeId":"office-demo","caseManagerId":"cm-demo","programmeId":"sn_reintegration"}}')"
case_id="$(json_field caseId <<<"$registered")"
[ -n "$case_id" ] || fail "RegisterCase answered without a caseId (first 200 bytes: ${registered:0:200})"
read_back="$(call GetCase "{\"caseId\":\"$case_id\"}")"
[ "$(json_field caseId <<<"$read_back")" = "$case_id" ] || fail "GetCase did not return case $case_id"
[ "$(json_field familyName <<<"$read_back")" = Ndiaye ] || fail "GetCase returned another returnee"
echo "image_test: registered and read back case $case_id" >&2

# The data are in the data directory and the user's: the root file system is
# read-only, so nothing could have been written anywhere else.
owners="$(podman exec "$name" find /var/lib/homeward -mindepth 1 ! -user 10001 -print)"
[ -z "$owners" ] || fail "files in /var/lib/homeward not owned by 10001: $owners"
podman exec "$name" /bin/sh -c 'ls /var/lib/homeward/assessment/rocksdb/CURRENT' >/dev/null 2>&1 ||
  fail "no RocksDB database under /var/lib/homeward"
if podman exec "$name" /bin/sh -c 'touch /usr/share/homeward/x' 2>/dev/null; then
  fail "the image's files are writable by the process"
fi

# A graceful stop: SIGTERM, the process exits 0.
podman stop -t 30 "$name" >/dev/null
code="$(podman inspect --format '{{.State.ExitCode}}' "$name")"
[ "$code" = 0 ] || fail "the process exited $code on SIGTERM"
echo "image_test: PASS" >&2
