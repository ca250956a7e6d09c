#!/usr/bin/env bash
# The long fuzzing run (docs/FUZZING.md): every target for 10M executions
# (or $HOMEWARD_FUZZ_RUNS) over its committed corpus, one after another,
# after building the fuzz preset. Stops at the first target that fails;
# its crashing input is kept in $HOMEWARD_FUZZ_ARTIFACTS (default: a fresh
# directory under /tmp) and named in the output.
#
#   bash tests/fuzz/run-long.sh                      # every target
#   bash tests/fuzz/run-long.sh page_token principal_token
#   HOMEWARD_FUZZ_RUNS=1000000 bash tests/fuzz/run-long.sh
#
# Extra libFuzzer flags go in $HOMEWARD_FUZZ_FLAGS, e.g. "-jobs=2 -workers=2".
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${HOMEWARD_FUZZ_RUNS:-10000000}"
export CCACHE_BASEDIR="$PWD"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in tests/fuzz/*_fuzzer.cc; do
    name="$(basename "$f" _fuzzer.cc)"
    targets+=("$name")
  done
fi
for name in "${targets[@]}"; do
  echo "== $name: $runs executions"
  start=$(date +%s)
  # shellcheck disable=SC2086
  bash tests/fuzz/run-fuzzer.sh "build-fuzz/tests/fuzz/${name}_fuzzer" "$name" \
    -runs="$runs" ${HOMEWARD_FUZZ_FLAGS:-}
  echo "== $name: done in $(( $(date +%s) - start )) s"
done
