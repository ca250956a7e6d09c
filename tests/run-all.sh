#!/usr/bin/env bash
# README command 2: builds Homeward and runs every test (ctest), after
# installing missing packages; then builds the fuzz targets (clang-14, ASan +
# UBSan; docs/FUZZING.md) and runs each for a bounded time over its corpus
# (ctest --preset fuzz), so that a crash fails the run. Set
# HOMEWARD_PRESET=asan for the AddressSanitizer + UndefinedBehaviorSanitizer
# build of the tests; HOMEWARD_FUZZ=0 skips the fuzz targets. After ctest,
# builds the container image and runs it, alone and with `podman kube play`
# (tests/image/run-container-tests.sh; docs/OPERATIONS.md; needs root);
# HOMEWARD_CONTAINERS=0 skips that. The Kubernetes manifests are validated
# offline (deploy/kubernetes/validate/validate.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/local/build.sh
preset="${HOMEWARD_PRESET:-default}"
containers="${HOMEWARD_CONTAINERS:-1}"
if [ "$containers" != 0 ] && [ "$preset" != default ]; then
  echo "run-all: the container tests use the default preset's build: skipped" >&2
  containers=0
elif [ "$containers" != 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "run-all: the container tests need root (debootstrap, podman): SKIPPED" \
    "(run as root, or set HOMEWARD_CONTAINERS=0 to silence this)" >&2
  containers=0
fi
# The image's Debian root is mostly downloading: it is made while ctest runs
# (its failure shows again, with its log, when the image is built below).
root_job=""
if [ "$containers" != 0 ]; then
  mkdir -p build/image
  bash deploy/image/build-image.sh --root-only build >build/image/root-only.log 2>&1 </dev/null &
  root_job=$!
fi
ctest_rc=0
ctest --preset "$preset" -j2 --timeout 300 </dev/null || ctest_rc=$?
if [ -n "$root_job" ]; then
  wait "$root_job" || echo "run-all: making the image's Debian root failed (build/image/root-only.log)" >&2
fi
[ "$ctest_rc" = 0 ] || exit "$ctest_rc"
# The Kubernetes manifests, checked offline against the Kubernetes schemas
# (npm kubernetes-models; docs/OPERATIONS.md, "Kubernetes").
if ! command -v npm >/dev/null; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends nodejs npm </dev/null
fi
bash deploy/kubernetes/validate/validate.sh </dev/null
if [ "$containers" != 0 ]; then
  bash tests/image/run-container-tests.sh build </dev/null
fi
if [ "${HOMEWARD_FUZZ:-1}" != 0 ]; then
  HOMEWARD_PRESET=fuzz bash deploy/local/build.sh
  ctest --preset fuzz -j2 </dev/null
fi
