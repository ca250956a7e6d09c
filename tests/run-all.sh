#!/usr/bin/env bash
# README command 2: builds Homeward and runs every test (ctest), after
# installing missing packages; then builds the fuzz targets (clang-14, ASan +
# UBSan; docs/FUZZING.md) and runs each for a bounded time over its corpus
# (ctest --preset fuzz), so that a crash fails the run. Set
# HOMEWARD_PRESET=asan for the AddressSanitizer + UndefinedBehaviorSanitizer
# build of the tests; HOMEWARD_FUZZ=0 skips the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/local/build.sh
preset="${HOMEWARD_PRESET:-default}"
ctest --preset "$preset" -j2 --timeout 300 </dev/null
if [ "${HOMEWARD_FUZZ:-1}" != 0 ]; then
  HOMEWARD_PRESET=fuzz bash deploy/local/build.sh
  ctest --preset fuzz -j2 </dev/null
fi
