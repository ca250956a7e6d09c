# shellcheck shell=bash
# Sourced by the image tests: points podman at a containers.conf of its own
# (CONTAINERS_CONF replaces the system's files) that works on these VMs:
# runc, because crun cannot start containers here, and ulimits the VM grants,
# because podman's defaults (open files and processes at their maximum) are
# refused ("error setting rlimit type 7: operation not permitted").
# Usage: source tests/image/podman-env.sh; podman_env_init DIR
podman_env_init() {
  local dir="$1" nofile
  nofile="$(ulimit -Hn)"
  [ "$nofile" = unlimited ] || [ "$nofile" -gt 65536 ] && nofile=65536
  cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF="$dir/containers.conf"
}

# wait_for_url URL SECONDS CONTAINER [curl options...]: until URL answers
# 200; gives up early when CONTAINER has stopped (a refused config).
wait_for_url() {
  local url="$1" seconds="$2" container="$3"
  shift 3
  local deadline=$((SECONDS + seconds))
  until curl -sf -o /dev/null --max-time 2 "$@" "$url"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    if [ "$(podman inspect --format '{{.State.Running}}' "$container" 2>/dev/null)" != true ]; then
      echo "$container is not running" >&2
      return 1
    fi
    sleep 1
  done
}

# json_field NAME: the first "NAME":"value" string of the JSON on stdin.
json_field() {
  grep -o "\"$1\":\"[^\"]*\"" | head -n1 | sed 's/^.*:"\(.*\)"$/\1/'
}
