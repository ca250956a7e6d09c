#!/usr/bin/env bash
# The layering check (check_layering.sh) passes on a tree that keeps the
# rules and fails, naming the include, on each kind of break.
set -euo pipefail
check="$(cd "$(dirname "$0")" && pwd)/check_layering.sh"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tree/common/storage" "$tree/services/assessment" \
  "$tree/services/planning" "$tree/services/all_in_one"
echo '#include "common/storage/store.h"' >"$tree/services/assessment/a.cc"
echo '#include "services/assessment/a.h"' >"$tree/services/assessment/b.cc"
echo '#include "services/assessment/a.h"' >"$tree/services/all_in_one/main.cc"
echo '#include "services/planning/p.h"' >"$tree/services/all_in_one/suite.cc"
bash "$check" "$tree" >/dev/null 2>&1 || fail "a tree that keeps the rules was refused"

echo '#include "services/assessment/case_store.h"' >"$tree/services/planning/p.cc"
out=$(bash "$check" "$tree" 2>&1) && fail "a service including another passed"
grep -q "services/planning includes services/assessment" <<<"$out" ||
  fail "the refusal does not name the include: $out"
rm "$tree/services/planning/p.cc"

echo '#include "services/gateway/routing.h"' >"$tree/common/storage/s.cc"
out=$(bash "$check" "$tree" 2>&1) && fail "common/ including a service passed"
grep -q "common/ includes a service: common/storage/s.cc" <<<"$out" ||
  fail "the refusal does not name the include: $out"

echo "layering check: refuses each kind of break, passes a clean tree"
