#!/usr/bin/env bash
# Idle memory of each service process of the multi-process deployment: starts
# deploy/local/run-multiprocess.sh (one replica of each service and the
# gateway, fresh data under a temporary directory), waits until every
# process has used less than 1% of a CPU over two seconds (or IDLE_TIMEOUT
# seconds have passed), then prints VmRSS and VmHWM from /proc/<pid>/status
# of each, against the goal of 64 MiB, and stops the deployment.
#
#   bash tools/bench/idle_memory.sh                  # BASE_PORT 7600
#   BASE_PORT=7700 SETTLE_SECONDS=10 bash tools/bench/idle_memory.sh
#
# Exits 1 when a process is over the goal (reported, for the lead to read;
# not a test). Pass a data directory as $1 to keep it.
set -euo pipefail
cd "$(dirname "$0")/../.."
goal_kib=$((64 * 1024))
settle="${SETTLE_SECONDS:-5}"
idle_timeout="${IDLE_TIMEOUT:-120}"
data="${1:-}"
if [ -z "$data" ]; then
  data="$(mktemp -d /tmp/homeward-idle.XXXXXX)"
  trap 'rm -rf "$data"' EXIT
fi
export HOMEWARD_DATA_DIR="$data" BASE_PORT="${BASE_PORT:-7600}"

setsid bash deploy/local/run-multiprocess.sh >"$data/runner.out" 2>&1 &
runner=$!
stop() {
  kill -TERM "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
}
trap 'stop; [ -z "${1:-}" ] && rm -rf "$data"' EXIT

# The runner builds first; the services are its children once it prints.
for _ in $(seq 1 600); do
  grep -q "Homeward is running" "$data/runner.out" 2>/dev/null && break
  kill -0 "$runner" 2>/dev/null || { cat "$data/runner.out"; exit 1; }
  sleep 1
done
sleep "$settle"
mapfile -t pids < <(pgrep -P "$runner")
[ "${#pids[@]}" -gt 0 ] || { echo "no service process found"; exit 1; }

cpu_ticks() {  # utime + stime of pid $1, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)
deadline=$((SECONDS + idle_timeout))
while :; do
  busy=0
  declare -A before=()
  for p in "${pids[@]}"; do before[$p]=$(cpu_ticks "$p"); done
  sleep 2
  for p in "${pids[@]}"; do
    # Under 1% of a CPU over 2 s: at most 0.02 s of CPU time.
    used=$(( $(cpu_ticks "$p") - ${before[$p]} ))
    if [ $(( used * 100 )) -gt $(( 2 * hz )) ]; then busy=1; fi
  done
  [ "$busy" -eq 0 ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "(still busy after ${idle_timeout}s: measuring anyway)"
    break
  fi
done

over=0
printf '%-22s %8s %10s %10s %s\n' process pid 'VmRSS MiB' 'VmHWM MiB' 'goal 64 MiB'
for p in "${pids[@]}"; do
  name=$(tr '\0' ' ' < "/proc/$p/cmdline" | awk '{print $1}' | xargs basename)
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$p/status")
  verdict=ok
  if [ "$rss" -gt "$goal_kib" ]; then verdict=OVER; over=1; fi
  printf '%-22s %8s %10.1f %10.1f %s (%s threads)\n' "$name" "$p" \
    "$(echo "$rss / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)" \
    "$verdict" "$threads"
done
exit "$over"
