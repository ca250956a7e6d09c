#!/usr/bin/env bash
# README command 2: builds Homeward and runs every test (ctest), after
# installing missing packages; then builds the fuzz targets (clang-14, ASan +
# UBSan; docs/FUZZING.md) and runs each for a bounded time over its corpus
# (ctest --preset fuzz), so that a crash fails the run. Set
# HOMEWARD_PRESET=asan for the AddressSanitizer + UndefinedBehaviorSanitizer
# build of the tests; HOMEWARD_FUZZ=0 skips the fuzz targets. After ctest,
# builds the container image and runs it, alone and with `podman kube play`
# (tests/image/run-container-tests.sh; docs/operations/image.md; needs root);
# HOMEWARD_CONTAINERS=0 skips that.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/local/build.sh
preset="${HOMEWARD_PRESET:-default}"
ctest --preset "$preset" -j2 --timeout 300 </dev/null
if [ "${HOMEWARD_CONTAINERS:-1}" = 0 ]; then
  :
elif [ "$preset" != default ]; then
  echo "run-all: the container tests use the default preset's build: skipped" >&2
elif [ "$(id -u)" -ne 0 ]; then
  echo "run-all: the container tests need root (debootstrap, podman): SKIPPED" \
    "(run as root, or set HOMEWARD_CONTAINERS=0 to silence this)" >&2
else
  bash tests/image/run-container-tests.sh build </dev/null
fi
if [ "${HOMEWARD_FUZZ:-1}" != 0 ]; then
  HOMEWARD_PRESET=fuzz bash deploy/local/build.sh
  ctest --preset fuzz -j2 </dev/null
fi
