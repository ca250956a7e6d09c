#!/usr/bin/env bash
# Local runner for the multi-process shape: per replica (REPLICAS, default 1,
# each owning an equal share of the partitions) one homeward-assessment, one
# homeward-planning, one homeward-referral and one homeward-follow-up
# process, and one homeward-gateway in front, all on loopback (gateway
# BASE_PORT and BASE_PORT+80, assessment BASE_PORT+1+r, planning
# BASE_PORT+101+r, referral BASE_PORT+201+r, follow-up BASE_PORT+301+r), with data, configs, the deployment secret and development
# API keys (a supervisor, an administrator, the partner agency
# "org-atelier-pikine") under $HOMEWARD_DATA_DIR (default ./homeward-multi).
# Every internal hop is mutual TLS and both public faces are TLS, with
# certificates of a development CA made under $HOMEWARD_DATA_DIR/tls by
# deploy/local/make-dev-certs.sh (kept between runs; docs/TLS.md). Clients
# trust its ca.crt (the printed curl and grpcurl examples use it).
# Every service's data is encrypted at rest under $HOMEWARD_DATA_DIR/data.key
# (docs/ENCRYPTION.md): a data directory from an earlier, unencrypted run is
# refused at start, so remove it first.
# Ctrl-C stops everything gracefully.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/build.sh --target homeward-assessment homeward-planning \
  homeward-referral homeward-follow-up homeward-gateway

data="${HOMEWARD_DATA_DIR:-homeward-multi}"
replicas="${REPLICAS:-1}"
partitions=64
base_port="${BASE_PORT:-7100}"
mkdir -p "$data"
chmod 700 "$data"
umask 077

secret="$data/principal.secret"
[ -f "$secret" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$secret"
# The key that encrypts every service's data at rest (docs/ENCRYPTION.md).
data_key="$data/data.key"
[ -f "$data_key" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$data_key"

# A development CA and one certificate per component (only what is missing).
tls="$PWD/$data/tls"
[[ "$data" = /* ]] && tls="$data/tls"
bash deploy/local/make-dev-certs.sh "$tls" gateway assessment planning \
  referral follow-up client >/dev/null
internal_tls() {  # internal_tls NAME: mutual TLS with NAME's certificate
  printf '  internal_transport {\n    tls {\n      certificate_file: "%s"\n      private_key_file: "%s"\n      ca_file: "%s"\n    }\n  }\n' \
    "$tls/$1.crt" "$tls/$1.key" "$tls/ca.crt"
}

# Development keys only when there is no key file at all: an existing
# api_keys.textproto is the operator's and is never rewritten.
dev_key() {  # dev_key NAME PRINCIPAL: appends a key, keeps the plain one
  local key="hw_$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')"
  echo "$key" > "$data/$1-api-key"
  local hash=$(printf '%s' "$key" | sha256sum | cut -d' ' -f1)
  printf 'keys {\n  key_id: "%s"\n  sha256_hex: "%s"\n  principal { %s }\n}\n' \
    "$1" "$hash" "$2" >> "$data/api_keys.textproto.new"
}
if [ ! -f "$data/api_keys.textproto" ]; then
  rm -f "$data/api_keys.textproto.new"
  dev_key dev 'user_id: "dev-supervisor" role: ROLE_SUPERVISOR office_ids: "office-demo"'
  dev_key dev-admin 'user_id: "dev-admin" role: ROLE_ADMINISTRATOR office_ids: "office-demo"'
  dev_key dev-partner 'user_id: "dev-partner" role: ROLE_PARTNER_AGENCY agency_id: "org-atelier-pikine"'
  mv "$data/api_keys.textproto.new" "$data/api_keys.textproto"
fi
key=$(cat "$data/dev-api-key" 2>/dev/null || echo '<your API key>')
admin_key=$(cat "$data/dev-admin-api-key" 2>/dev/null || echo '<an administrator key>')
partner_key=$(cat "$data/dev-partner-api-key" 2>/dev/null || echo '<a partner agency key>')

pids=()
stop() { kill -TERM "${pids[@]}" 2>/dev/null || true; wait; }
trap stop INT TERM EXIT

# Replica r of each service owns the same share of the partitions; the
# routes are known before any process starts, because each service follows
# the others' feeds (planning, referral and follow-up follow assessment;
# assessment follows planning, referral and follow-up; referral follows
# planning and follow-up; planning follows referral and follow-up;
# follow-up follows planning and referral) and referral calls assessment
# (consent checks).
per=$(( partitions / replicas ))
share() {  # share R: "first last" of replica R
  local first=$(( $1 * per ))
  echo "$first $(( $1 == replicas - 1 ? partitions - 1 : ($1 + 1) * per - 1 ))"
}
assessment_route=""
planning_route=""
referral_route=""
follow_up_route=""
for ((r = 0; r < replicas; r++)); do
  read -r first last < <(share "$r")
  assessment_route+="    replicas { address: \"127.0.0.1:$(( base_port + 1 + r ))\" partitions { first: $first last: $last } }"$'\n'
  planning_route+="    replicas { address: \"127.0.0.1:$(( base_port + 101 + r ))\" partitions { first: $first last: $last } }"$'\n'
  referral_route+="    replicas { address: \"127.0.0.1:$(( base_port + 201 + r ))\" partitions { first: $first last: $last } }"$'\n'
  follow_up_route+="    replicas { address: \"127.0.0.1:$(( base_port + 301 + r ))\" partitions { first: $first last: $last } }"$'\n'
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
  encryption_key_file: "$data_key"
$(internal_tls assessment)
  upstream {
    service: "planning"
$planning_route  }
  upstream {
    service: "referral"
$referral_route  }
  upstream {
    service: "follow_up"
$follow_up_route  }
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
  encryption_key_file: "$data_key"
$(internal_tls planning)
  upstream {
    service: "assessment"
$assessment_route  }
  upstream {
    service: "referral"
$referral_route  }
  upstream {
    service: "follow_up"
$follow_up_route  }
}
taxonomy_dir: "$PWD/deploy/taxonomy"
feasibility_dir: "$PWD/deploy/feasibility"
programmes_dir: "$PWD/deploy/programmes"
CFG
  build/services/planning/homeward-planning --config="$data/planning-$r.textproto" \
    2>>"$data/planning-$r.log" &
  pids+=($!)
  cat > "$data/referral-$r.textproto" <<CFG
service {
  listen_address: "127.0.0.1:$(( base_port + 201 + r ))"
  data_dir: "$data/referral-$r"
  partition_count: $partitions
  owned_partitions { first: $first last: $last }
  principal_secret_file: "$secret"
  encryption_key_file: "$data_key"
$(internal_tls referral)
  upstream {
    service: "assessment"
$assessment_route  }
  upstream {
    service: "planning"
$planning_route  }
  upstream {
    service: "follow_up"
$follow_up_route  }
}
taxonomy_dir: "$PWD/deploy/taxonomy"
programmes_dir: "$PWD/deploy/programmes"
CFG
  build/services/referral/homeward-referral --config="$data/referral-$r.textproto" \
    2>>"$data/referral-$r.log" &
  pids+=($!)
  cat > "$data/follow_up-$r.textproto" <<CFG
service {
  listen_address: "127.0.0.1:$(( base_port + 301 + r ))"
  data_dir: "$data/follow_up-$r"
  partition_count: $partitions
  owned_partitions { first: $first last: $last }
  principal_secret_file: "$secret"
  encryption_key_file: "$data_key"
$(internal_tls follow-up)
  upstream {
    service: "assessment"
$assessment_route  }
  upstream {
    service: "planning"
$planning_route  }
  upstream {
    service: "referral"
$referral_route  }
}
taxonomy_dir: "$PWD/deploy/taxonomy"
programmes_dir: "$PWD/deploy/programmes"
CFG
  build/services/follow_up/homeward-follow-up --config="$data/follow_up-$r.textproto" \
    2>>"$data/follow_up-$r.log" &
  pids+=($!)
done

cat > "$data/gateway.textproto" <<CFG
grpc_listen_address: "127.0.0.1:$base_port"
http_listen_address: "127.0.0.1:$(( base_port + 80 ))"
api_keys_file: "$data/api_keys.textproto"
principal_secret_file: "$secret"
partition_count: $partitions
public_transport {
  tls {
    certificate_file: "$tls/gateway.crt"
    private_key_file: "$tls/gateway.key"
  }
}
$(internal_tls gateway | sed 's/^  //')
routes {
  service: "assessment"
$assessment_route}
routes {
  service: "planning"
$planning_route}
routes {
  service: "referral"
$referral_route}
routes {
  service: "follow_up"
$follow_up_route}
CFG
build/services/gateway/homeward-gateway --config="$data/gateway.textproto" \
  2>>"$data/gateway.log" &
pids+=($!)

cat <<MSG
Homeward is running: $replicas replica(s) each of assessment, planning, referral and
follow-up, and a gateway (logs in $data/*.log).
  JSON/HTTP: https://127.0.0.1:$(( base_port + 80 ))   gRPC (TLS): 127.0.0.1:$base_port
  Both faces present $tls/gateway.crt; trust $tls/ca.crt.
  API keys (from $data/api_keys.textproto): supervisor $key
    administrator $admin_key
    partner agency (org-atelier-pikine) $partner_key
  curl -s --cacert $tls/ca.crt -X POST https://127.0.0.1:$(( base_port + 80 ))/homeward.v1.CaseService/ListCases \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer $key' -d '{}'
  curl -s --cacert $tls/ca.crt -X POST https://127.0.0.1:$(( base_port + 80 ))/homeward.v1.PlanService/GetPlan \\
    -H 'Content-Type: application/json' -H 'Authorization: Bearer $key' -d '{"caseId":"<caseId>"}'
  grpcurl -cacert $tls/ca.crt -H 'authorization: Bearer $key' -d '{}' \\
    127.0.0.1:$base_port homeward.v1.CaseService/ListCases
Ctrl-C stops everything.
MSG
wait
