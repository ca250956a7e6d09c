#!/usr/bin/env bash
# README command 1: builds Homeward and runs the whole suite in one process
# (gateway + services over in-process channels, RocksDB under ./homeward-data
# or $HOMEWARD_DATA_DIR), printing how to call it. Extra arguments go to
# homeward-all-in-one (e.g. --http_listen=0.0.0.0:7080 with
# --tls_certificate_file=... --tls_private_key_file=...: off loopback the
# public faces need TLS, or --plaintext_public; docs/TLS.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash deploy/local/build.sh --target homeward-all-in-one
exec build/services/all_in_one/homeward-all-in-one \
  --data_dir="${HOMEWARD_DATA_DIR:-homeward-data}" \
  --taxonomy_dir="$PWD/deploy/taxonomy" \
  --programmes_dir="$PWD/deploy/programmes" \
  --instruments_dir="$PWD/deploy/instruments" \
  --feasibility_dir="$PWD/deploy/feasibility" "$@"
