#!/usr/bin/env bash
# Checks the layering rules of the source tree under ROOT (default: the
# checkout this script sits in) and exits 1, naming each offending include,
# when one is broken:
#   - common/ never includes services/: shared code depends on no service;
#   - a service never includes another service's headers: services share
#     code only through common/ and talk only through protos/
#     (services/all_in_one, which wires every service into one process, is
#     the one exception).
#
#   bash tests/layering/check_layering.sh            # this checkout
#   bash tests/layering/check_layering.sh /some/tree
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$root"
broken=0

while IFS= read -r hit; do
  echo "layering: common/ includes a service: $hit" >&2
  broken=1
done < <(grep -rnE '^#include "services/' common 2>/dev/null || true)

for dir in services/*/; do
  service=$(basename "$dir")
  [ "$service" = all_in_one ] && continue
  while IFS= read -r hit; do
    included=$(sed -E 's#.*\#include "services/([a-z_]+)/.*#\1#' <<<"$hit")
    [ "$included" = "$service" ] && continue
    echo "layering: services/$service includes services/$included: $hit" >&2
    broken=1
  done < <(grep -rnE '^#include "services/' "$dir" 2>/dev/null || true)
done

if [ "$broken" -ne 0 ]; then
  echo "layering: move what both need into common/ (docs/ARCHITECTURE.md section 7)" >&2
  exit 1
fi
echo "layering: common/ and services/ keep their layers"
