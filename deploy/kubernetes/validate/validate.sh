#!/usr/bin/env bash
# Validates Homeward's Kubernetes manifests offline against the Kubernetes
# schemas (the npm package kubernetes-models, pinned in package-lock.json and
# installed with `npm ci` into this directory's node_modules, which git
# ignores; nothing else touches the network).
#
#   deploy/kubernetes/validate/validate.sh            # every manifest, checks
#   deploy/kubernetes/validate/validate.sh FILE...    # just these files
#
# With no FILE it checks, and fails (exit 1) on the first that does not hold:
# 1. every *.yaml under deploy/kubernetes/ (this directory and
#    kustomization.yaml aside) is valid: each document parses, names a known
#    apiVersion and kind, and passes that kind's schema (one line per
#    problem: file, document, kind/name, field);
# 2. the committed manifests are what render.py writes (none edited by hand);
# 3. the Secrets make-secrets.sh writes are valid too;
# 4. every config in the ConfigMaps parses as the message its first line
#    names (with protoc --encode, when protoc is installed);
# 5. the broken fixture (fixtures/broken.yaml) is refused, one message per
#    broken document: the validator can fail;
# 6. scale_plan.py's plans are balanced and move the fewest partitions
#    (scale_plan_test.py).
# Needs node (14 or later), npm, python3 and openssl.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
kube="$(cd "$here/.." && pwd)"
repo="$(cd "$kube/../.." && pwd)"

for tool in node npm; do
  command -v "$tool" >/dev/null || {
    echo "validate.sh: $tool is not installed (apt-get install nodejs npm)" >&2
    exit 1
  }
done

# The pinned packages, installed again only when the lock file changed.
if ! cmp -s "$here/package-lock.json" "$here/node_modules/.homeward-lock.json"; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || {
    echo "validate.sh: npm ci failed in $here (is the npm registry reachable?)" >&2
    exit 1
  }
  cp "$here/package-lock.json" "$here/node_modules/.homeward-lock.json"
fi

validate() { node "$here/validate.mjs" "$@"; }

if [[ $# -gt 0 ]]; then
  validate "$@"
  exit $?
fi

mapfile -t manifests < <(find "$kube" -name '*.yaml' -not -path "$here/*" \
  -not -name kustomization.yaml | sort)
if [[ ${#manifests[@]} -eq 0 ]]; then
  echo "validate.sh: no manifests under $kube" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== 1. manifests against the Kubernetes schemas"
validate "${manifests[@]}"

echo "== 2. the committed manifests are render.py's"
python3 "$kube/render.py" --out "$tmp/rendered"
stale=0
for file in "$tmp"/rendered/*; do
  if ! diff -u "$kube/$(basename "$file")" "$file" >"$tmp/diff"; then
    echo "STALE deploy/kubernetes/$(basename "$file"): differs from render.py's;" \
      "run python3 deploy/kubernetes/render.py" >&2
    head -20 "$tmp/diff" >&2
    stale=1
  fi
done
[[ $stale -eq 0 ]] || exit 1
echo "render.py writes the committed files"

echo "== 3. the Secrets make-secrets.sh writes"
"$kube/make-secrets.sh" "$tmp/secrets" >/dev/null 2>&1 || {
  echo "validate.sh: make-secrets.sh failed" >&2
  exit 1
}
validate "$tmp/secrets/secrets.yaml"

echo "== 4. the configs parse as their messages"
if command -v protoc >/dev/null; then
  node "$here/validate.mjs" --extract-configs "$tmp/configs" \
    "$kube/10-config.yaml" "$kube/11-routes.yaml"
  bad=0
  for config in "$tmp"/configs/*; do
    message="$(sed -n '1s/^# \(homeward\.[A-Za-z0-9_.]*\).*/\1/p' "$config")"
    if [[ -z "$message" ]]; then
      echo "INVALID $(basename "$config"): its first line names no message" >&2
      bad=1
      continue
    fi
    if ! protoc -I "$repo/protos" --encode="$message" \
      "$repo/protos/homeward/internal/v1/config.proto" <"$config" \
      >/dev/null 2>"$tmp/protoc"; then
      echo "INVALID $(basename "$config") as $message: $(cat "$tmp/protoc")" >&2
      bad=1
    fi
  done
  [[ $bad -eq 0 ]] || exit 1
  echo "$(find "$tmp/configs" -type f | wc -l) config(s) parse"
else
  echo "protoc is not installed: configs not parsed (apt-get install protobuf-compiler)"
fi

echo "== 5. the broken fixture is refused"
if validate "$here/fixtures/broken.yaml" 2>"$tmp/broken"; then
  echo "validate.sh: fixtures/broken.yaml passed: the validator checks nothing" >&2
  exit 1
fi
# Each broken document must be named.
for doc in "document 1 (StatefulSet/broken)" "document 2 (StatefulSett/typo)" \
  "document 3 (Pod/bad-port)" "document 4 (Deployment/misspelt-field)"; do
  grep -qF "$doc" "$tmp/broken" || {
    echo "validate.sh: fixtures/broken.yaml: no problem reported for $doc" >&2
    cat "$tmp/broken" >&2
    exit 1
  }
done
echo "refused, one message per broken document"

echo "== 6. scaling plans"
if ! out="$(PYTHONDONTWRITEBYTECODE=1 python3 "$kube/scale_plan_test.py" 2>&1)"; then
  echo "$out" >&2
  echo "validate.sh: scale_plan_test.py failed" >&2
  exit 1
fi
echo "$out" | tail -1
echo "validate.sh: all checks passed"
