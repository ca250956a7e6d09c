#!/usr/bin/env bash
# Configures and builds Homeward (CMake preset "default" into build/, or the
# preset named in $HOMEWARD_PRESET), after installing missing packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/install-deps.sh
preset="${HOMEWARD_PRESET:-default}"
# Paths relative to the checkout, so that ccache hits across clones.
export CCACHE_BASEDIR="$PWD"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" "$@"
