#!/usr/bin/env bash
# README command 2: builds Homeward and runs every test (ctest), after
# installing missing packages. Set HOMEWARD_PRESET=asan for the
# AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/local/build.sh
preset="${HOMEWARD_PRESET:-default}"
ctest --preset "$preset" -j2 --timeout 300 </dev/null
