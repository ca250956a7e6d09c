#!/usr/bin/env bash
# Regenerates the committed seed corpus of the fuzz targets
# (tests/fuzz/corpus/<target>/seed-*) from readable sources:
#   - tests/fuzz/seeds.txt: requests as JSON, per target and check;
#   - the README's curl examples: calls of the JSON face;
#   - homeward_fuzz_seeds itself: an empty call of every public method,
#     signed principals and page tokens;
#   - deploy/instruments, deploy/feasibility, deploy/programmes and
#     deploy/taxonomy: the shipped definitions, as the text-format targets
#     read them;
#   - a few field values for api_fields, written below.
# Needs the fuzz build configured (cmake --preset fuzz). Inputs that fuzzing
# found worth keeping (regressions) are named regress-* and left alone.
#
#   bash tests/fuzz/make-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
corpus=tests/fuzz/corpus
cmake --build --preset fuzz --target homeward_fuzz_seeds >/dev/null
rm -f "$corpus"/*/seed-*
{
  cat tests/fuzz/seeds.txt
  # Each `curl ... /<method> ... -d '<json>'` of the README, as one line.
  python3 - README.md <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
for m in re.finditer(r"curl [^\n]*?https?://[^/\s]+/(homeward\.v1\.\w+/\w+)"
                     r"[^']*?-d '([^']*)'", text):
    body = " ".join(m.group(2).split())
    print(f"connect_request - {m.group(1)} {body}")
PY
} | build-fuzz/tests/fuzz/homeward_fuzz_seeds "$corpus"
mkdir -p "$corpus/instrument_definition" "$corpus/programme_data"
for f in deploy/instruments/*.textproto; do
  cp "$f" "$corpus/instrument_definition/seed-$(basename "$f" .textproto)"
done
# programme_data: byte 0 picks the kind (0 grid, 1 programme, 2 taxonomy).
seed_kind() {
  local kind="$1" file="$2"
  { printf "\\x0$kind"; cat "$file"; } \
    >"$corpus/programme_data/seed-$(basename "$file" .textproto)"
}
for f in deploy/feasibility/*.textproto; do seed_kind 0 "$f"; done
for f in deploy/programmes/*.textproto; do seed_kind 1 "$f"; done
for f in deploy/taxonomy/*.textproto; do seed_kind 2 "$f"; done
# api_fields: byte 0 picks the field kind (see api_fields_fuzzer.cc).
api="$corpus/api_fields"
mkdir -p "$api"
printf '\x00office-demo' >"$api/seed-identifier"
printf '\x01demo-1' >"$api/seed-request-id"
printf '\x0212' >"$api/seed-etag"
printf '\x03SN' >"$api/seed-country"
printf '\x03wo' >"$api/seed-language"
# 2026-02-29 (no such day) and 2025-10-01, as three little-endian int32.
printf '\x04\xea\x07\x00\x00\x02\x00\x00\x00\x1d\x00\x00\x00' >"$api/seed-date-bad"
printf '\x04\xe9\x07\x00\x00\x0a\x00\x00\x00\x01\x00\x00\x00' >"$api/seed-date"
for d in "$corpus"/*/; do
  echo "$(basename "$d"): $(ls "$d" | wc -l) files"
done
