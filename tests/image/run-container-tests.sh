#!/usr/bin/env bash
# The container part of README command 2 (tests/run-all.sh runs it after
# ctest; HOMEWARD_CONTAINERS=0 skips it): builds the image from BUILD_DIR's
# binaries (deploy/image/build-image.sh), runs it and calls it
# (image_test.sh), then plays the gateway and one service with
# `podman kube play` (kube_play_test.sh). Prints how long each step took.
#
#   tests/image/run-container-tests.sh [BUILD_DIR]     # default <repo>/build
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$repo/build}"
export HOMEWARD_IMAGE="${HOMEWARD_IMAGE:-localhost/homeward:dev}"
step() {
  local name="$1" start=$SECONDS
  shift
  echo "== $name" >&2
  "$@"
  echo "== $name: done in $((SECONDS - start)) s" >&2
}
step "build the image" bash "$repo/deploy/image/build-image.sh" "$build"
step "image test" bash "$repo/tests/image/image_test.sh" "$HOMEWARD_IMAGE"
step "podman kube play test" bash "$repo/tests/image/kube_play_test.sh" "$HOMEWARD_IMAGE"
