#!/usr/bin/env bash
# Runs one fuzz target over its committed corpus, as ctest does (a bounded
# run) and as run-long.sh does (10M executions):
#
#   bash tests/fuzz/run-fuzzer.sh <binary> <name> [libFuzzer flags...]
#   bash tests/fuzz/run-fuzzer.sh build-fuzz/tests/fuzz/page_token_fuzzer \
#       page_token -max_total_time=20
#
# The committed corpus (tests/fuzz/corpus/<name>/) is only read: what the run
# adds goes to a scratch directory, removed afterwards, so the checkout never
# grows. A crash, leak, timeout or broken invariant fails the run; the input
# that caused it is kept in $HOMEWARD_FUZZ_ARTIFACTS (default: a fresh
# directory under ${TMPDIR:-/tmp}) and its path printed, to reproduce with
#   <binary> <that file>
set -euo pipefail
binary="$1"
name="$2"
shift 2
here="$(cd "$(dirname "$0")" && pwd)"
corpus="$here/corpus/$name"
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
scratch="$(mktemp -d "${TMPDIR:-/tmp}/homeward-fuzz-$name.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
artifacts="${HOMEWARD_FUZZ_ARTIFACTS:-$(mktemp -d "${TMPDIR:-/tmp}/homeward-fuzz-crash-$name.XXXXXX")}"
mkdir -p "$artifacts"
flags=(-timeout=25 -rss_limit_mb=2560 -print_final_stats=1
       -artifact_prefix="$artifacts/")
if [ -f "$here/dict/$name.dict" ]; then flags+=(-dict="$here/dict/$name.dict"); fi
# ASan's leak check runs at exit; UBSan stops at the first finding (the build
# has -fno-sanitize-recover) and prints where.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
"$binary" "${flags[@]}" "$@" "$scratch" "$corpus" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz target $name failed (exit $status); inputs kept in $artifacts:" >&2
  ls -l "$artifacts" >&2 || true
  echo "reproduce: $binary $artifacts/<file>" >&2
  exit "$status"
fi
# Nothing found: nothing to keep (unless the caller chose the directory).
[ -n "${HOMEWARD_FUZZ_ARTIFACTS:-}" ] || rmdir "$artifacts" 2>/dev/null || true
