#!/usr/bin/env bash
# Local runner for the multi-process shape: per replica (REPLICAS, default 1,
# each owning an equal share of the partitions) one homeward-assessment and
# one homeward-planning process, and one homeward-gateway in front, all on
# loopback (gateway BASE_PORT and BASE_PORT+80, assessment BASE_PORT+1+r,
# planning BASE_PORT+101+r), with data, configs, the deployment secret and a
# development API key under $HOMEWARD_DATA_DIR (default ./homeward-multi). Ctrl-C stops everything gracefully.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/build.sh --target homeward-assessment homeward-planning \
  homeward-gateway

data="${HOMEWARD_DATA_DIR:-homeward-multi}"
replicas="${REPLICAS:-1}"
partitions=64
base_port="${BASE_PORT:-7100}"
mkdir -p "$data"
chmod 700 "$data"
umask 077

secret="$data/principal.secret"
[ -f "$secret" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$secret"

# A development key only when there is no key file at all: an existing
# api_keys.textproto is the operator's and is never rewritten.
if [ ! -f "$data/api_keys.textproto" ]; then
  key="hw_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  echo "$key" > "$data/dev-api-key"
  hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
  cat > "$data/api_keys.textproto" <<KEYS
keys {
  key_id: "dev"
  sha256_hex: "$hash"
  principal { user_id: "dev-supervisor" role: ROLE_SUPERVISOR office_ids: "office-demo" }
}
KEYS
fi
key=$(cat "$data/dev-api-key" 2>/dev/null || echo '<your API key>')

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait; }
trap stop INT TERM EXIT

# Replica r of each service owns the same share of the partitions; the
# routes are known before any process starts, because each service follows
# the other's feed (planning follows assessment, assessment follows planning).
per=$(( partitions / replicas ))
share() {  # share R: "first last" of replica R
  local first=$(( $1 * per ))
  echo "$first $(( $1 == replicas - 1 ? partitions - 1 : ($1 + 1) * per - 1 ))"
}
assessment_route=""
planning_route=""
for ((r = 0; r < replicas; r++)); do
  read -r first last < <(share "$r")
  assessment_route+="    replicas { address: \"127.0.0.1:$(( base_port + 1 + r ))\" partitions { first: $first last: $last } }"$'\n'
  planning_route+="    replicas { address: \"127.0.0.1:$(( base_port + 101 + r ))\" partitions { first: $first last: $last } }"$'\n'
done

for ((r = 0; r < replicas; r++)); do
  read -r first last < <(share "$r")
  cat > "$data/assessment-$r.textproto" <<CFG
service {
  listen_address: "127.0.0.1:$(( base_port + 1 + r ))"
  data_dir: "$data/assessment-$r"
  partition_count: $partitions
  owned_partitions { first: $first last: $last }
  principal_secret_file: "$secret"
  upstream {
    service: "planning"
$planning_route  }
}
taxonomy_dir: "$PWD/deploy/taxonomy"
programmes_dir: "$PWD/deploy/programmes"
instruments_dir: "$PWD/deploy/instruments"
CFG
  build/services/assessment/homeward-assessment --config="$data/assessment-$r.textproto" \
    2>>"$data/assessment-$r.log" &
  pids+=($!)
  cat > "$data/planning-$r.textproto" <<CFG
service {
  listen_address: "127.0.0.1:$(( base_port + 101 + r ))"
  data_dir: "$data/planning-$r"
  partition_count: $partitions
  owned_partitions { first: $first last: $last }
  principal_secret_file: "$secret"
  upstream {
    service: "assessment"
$assessment_route  }
}
taxonomy_dir: "$PWD/deploy/taxonomy"
feasibility_dir: "$PWD/deploy/feasibility"
programmes_dir: "$PWD/deploy/programmes"
CFG
  build/services/planning/homeward-planning --config="$data/planning-$r.textproto" \
    2>>"$data/planning-$r.log" &
  pids+=($!)
done

cat > "$data/gateway.textproto" <<CFG
grpc_listen_address: "127.0.0.1:$base_port"
http_listen_address: "127.0.0.1:$(( base_port + 80 ))"
api_keys_file: "$data/api_keys.textproto"
principal_secret_file: "$secret"
partition_count: $partitions
routes {
  service: "assessment"
$assessment_route}
routes {
  service: "planning"
$planning_route}
CFG
build/services/gateway/homeward-gateway --config="$data/gateway.textproto" \
  2>>"$data/gateway.log" &
pids+=($!)

cat <<MSG
Homeward is running: $replicas assessment and $replicas planning replica(s) and a gateway
(logs in $data/*.log).
  JSON/HTTP: http://127.0.0.1:$(( base_port + 80 ))   gRPC: 127.0.0.1:$base_port
  API key (from $data/api_keys.textproto): $key
  curl -s -X POST http://127.0.0.1:$(( base_port + 80 ))/homeward.v1.CaseService/ListCases \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer $key' -d '{}'
  curl -s -X POST http://127.0.0.1:$(( base_port + 80 ))/homeward.v1.PlanService/GetPlan \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer $key' -d '{"caseId":"<caseId>"}'
Ctrl-C stops everything.
MSG
wait
