#!/usr/bin/env bash
# Builds the Homeward container image without a registry (docs/OPERATIONS.md):
# a minimal Debian 12 root made with debootstrap, holding exactly the runtime
# packages the binaries need (derived from the binaries: ldd, then dpkg -S on
# this machine), the stripped binaries, the programme data of deploy/ and the
# example configs, a non-root user `homeward` (uid/gid 10001) owning the data
# directory /var/lib/homeward; imported with `podman import`.
#
#   deploy/image/build-image.sh [BUILD_DIR]        # default: <repo>/build
#   deploy/image/build-image.sh --root-only [BUILD_DIR]
#       only makes (and caches) the Debian root, e.g. in the background
#       while the tests run (tests/run-all.sh)
#
# Environment: HOMEWARD_IMAGE (tag, default localhost/homeward:dev),
# HOMEWARD_IMAGE_MIRROR (Debian mirror, default: the host's apt source for
# bookworm/main), HOMEWARD_IMAGE_REFRESH=1 (make the Debian root again, e.g.
# for new security updates, instead of reusing the cached one),
# HOMEWARD_IMAGE_WORK (its working directory, default BUILD_DIR/image).
#
# Runs as root (debootstrap needs it), without stdin, and is safe to rerun:
# the Debian root is cached under BUILD_DIR/image/ keyed by the package list
# and the mirror, so a rerun only adds the binaries and data (seconds).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
root_only=0
if [ "${1:-}" = --root-only ]; then root_only=1; shift; fi
build="$(cd "${1:-$repo/build}" && pwd)"
image="${HOMEWARD_IMAGE:-localhost/homeward:dev}"
suite=bookworm
uid=10001
work="${HOMEWARD_IMAGE_WORK:-$build/image}"
start=$SECONDS

log() { echo "build-image: $*" >&2; }
die() { log "$*"; exit 1; }
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chown need it)"
for tool in debootstrap podman ldd dpkg strip tar; do
  command -v "$tool" >/dev/null || die "$tool is not installed (bash deploy/local/install-deps.sh)"
done

# The binaries of the image: the servers are required, tools are added when
# they were built.
required=(
  services/all_in_one/homeward-all-in-one
  services/gateway/homeward-gateway
  services/assessment/homeward-assessment
  services/planning/homeward-planning
  services/referral/homeward-referral
  services/follow_up/homeward-follow-up
)
optional=(tools/ctl/homewardctl)
binaries=()
for b in "${required[@]}"; do
  [ -x "$build/$b" ] || die "$build/$b is missing: build first (bash deploy/local/build.sh)"
  binaries+=("$build/$b")
done
for b in "${optional[@]}"; do
  [ -x "$build/$b" ] && binaries+=("$build/$b")
done

# Every shared library the binaries load, and the packages that ship them.
libs="$(for b in "${binaries[@]}"; do ldd "$b"; done)"
if grep -q 'not found' <<<"$libs"; then
  die "unresolved libraries: $(grep 'not found' <<<"$libs" | sort -u | tr -s ' \t\n' ' ')"
fi
mapfile -t lib_paths < <(awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$libs" | sort -u)
# Debian 12 has merged /usr, but dpkg knows each file under the path its
# package installed it at (/lib/... for libc6, /usr/lib/... for most, often
# behind a symbolic link), so every spelling of each library is asked, in
# one dpkg -S call (each call reads the whole package database).
spellings() {  # spellings PATH: the path, its target, each with and without /usr
  local c real
  real="$(readlink -f "$1")"
  for c in "$1" "$real"; do
    echo "$c"
    case "$c" in
      /usr/lib/*|/usr/lib64/*) echo "${c#/usr}" ;;
      /lib/*|/lib64/*) echo "/usr$c" ;;
    esac
  done
}
declare -A owner=()
while IFS= read -r line; do
  # "libfoo1:amd64: /usr/lib/..." (diversions are skipped)
  [[ "$line" == diversion* ]] && continue
  owner["${line##*: }"]="${line%%:*}"
done < <(for lib in "${lib_paths[@]}"; do spellings "$lib"; done | sort -u |
  xargs dpkg -S 2>/dev/null || true)
packages=()
for lib in "${lib_paths[@]}"; do
  pkg=""
  while IFS= read -r c; do
    [ -n "${owner[$c]:-}" ] && { pkg="${owner[$c]}"; break; }
  done < <(spellings "$lib")
  [ -n "$pkg" ] || die "no Debian package ships $lib (a library built locally cannot go into the image)"
  packages+=("${pkg%%,*}")
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
log "runtime packages (from ldd of ${#binaries[@]} binaries, ${#lib_paths[@]} libraries): ${packages[*]}"

# The Debian mirror: the host's apt source for bookworm/main.
mirror="${HOMEWARD_IMAGE_MIRROR:-$(apt-cache policy 2>/dev/null |
  awk -v s="$suite/main" '$3 == s && $2 ~ /^https?:/ {print $2; exit}')}"
mirror="${mirror:-http://deb.debian.org/debian}"
# The security archive beside it, when the host has one.
security="$(apt-cache policy 2>/dev/null |
  awk -v s="$suite-security/main" '$3 == s && $2 ~ /^https?:/ {print $2; exit}')"
if [ -z "$security" ] && [ -z "${HOMEWARD_IMAGE_MIRROR:-}" ]; then
  security=http://deb.debian.org/debian-security  # apt lists not fetched yet
fi

# Recipe version: change it when the root's making below changes.
recipe=2
key="$(printf '%s\n' "$recipe" "$suite" "$mirror" "$security" "$uid" "${packages[@]}" |
  sha256sum | cut -c1-16)"
root_tar="$work/debian-root-$key.tar"
mkdir -p "$work"
# One build at a time per working directory (a --root-only one may be
# running in the background).
exec 9>"$work/.lock"
flock 9

# Removes a root under construction: anything a failed debootstrap left
# mounted in it (proc, sys, a bind-mounted /dev) is unmounted first, and rm
# stays on the root's own file system.
remove_root() {
  local m
  for m in $(awk -v r="$1" 'index($2, r "/") == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf --one-file-system "$1"
}

make_root() {
  local root="$work/root.tmp"
  remove_root "$root"
  local include
  include="$(IFS=,; echo "${packages[*]}")"
  log "debootstrap --variant=minbase $suite from $mirror"
  # debootstrap resolves the packages' dependencies (not recommends).
  mkdir -p "$work/debs"
  debootstrap --variant=minbase --cache-dir="$work/debs" --include="$include" \
    "$suite" "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1 </dev/null ||
    { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
  # Security updates of what was installed, from the host's security archive.
  if [ -n "$security" ]; then
    # Only their (small) indexes are fetched, not the whole of $suite's.
    printf 'deb %s %s-updates main\ndeb %s %s-security main\n' \
      "$mirror" "$suite" "$security" "$suite" >"$root/etc/apt/sources.list"
    log "applying $suite-updates and $suite-security"
    chroot "$root" env DEBIAN_FRONTEND=noninteractive sh -c \
      'apt-get update -qq && apt-get -y -qq upgrade' >>"$work/debootstrap.log" 2>&1 </dev/null ||
      { tail -n 30 "$work/debootstrap.log" >&2; die "upgrade in the root failed"; }
    printf 'deb %s %s main\n' "$mirror" "$suite" >>"$root/etc/apt/sources.list"
  fi
  # The non-root user the processes run as, and its data directory.
  chroot "$root" groupadd --gid "$uid" homeward
  chroot "$root" useradd --uid "$uid" --gid "$uid" --home-dir /var/lib/homeward \
    --no-create-home --shell /usr/sbin/nologin homeward
  # What a running image never needs: package lists and caches, manuals,
  # documentation (the copyright files stay), translations.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/usr/share/man "$root"/usr/share/info "$root"/usr/share/locale \
    "$root"/var/log/* "$root"/debootstrap
  find "$root/usr/share/doc" -type f ! -name copyright -delete
  find "$root/usr/share/doc" -type d -empty -delete
  # Check that every library the binaries need is now in the root.
  local lib
  for lib in "${lib_paths[@]}"; do
    [ -e "$root$lib" ] || [ -e "$root$(readlink -f "$lib")" ] || die "$lib is missing from the root"
  done
  tar -C "$root" --numeric-owner -cf "$root_tar.tmp" .
  mv "$root_tar.tmp" "$root_tar"
  remove_root "$root"
  # Older roots (another package list) are not needed any more.
  find "$work" -maxdepth 1 -name 'debian-root-*.tar' ! -path "$root_tar" -delete
}
if [ ! -f "$root_tar" ] || [ "${HOMEWARD_IMAGE_REFRESH:-0}" = 1 ]; then
  make_root
  log "Debian root made in $((SECONDS - start)) s"
else
  log "reusing the Debian root $root_tar"
fi
[ "$root_only" = 0 ] || exit 0

# What Homeward adds on top: binaries, programme data, example configs, the
# data directory. Ownership is set here, not left to the copy: everything is
# root's and read-only to the user, except the data directory, the user's.
stage="$work/stage"
rm -rf "$stage"
mkdir -p "$stage/usr/bin" "$stage/usr/share/homeward" "$stage/etc/homeward/examples" \
  "$stage/var/lib/homeward"
for b in "${binaries[@]}"; do
  strip --strip-unneeded -o "$stage/usr/bin/$(basename "$b")" "$b"
done
for d in instruments taxonomy programmes feasibility directory; do
  cp -r "$repo/deploy/$d" "$stage/usr/share/homeward/$d"
done
cp "$repo"/deploy/config/*.textproto "$stage/etc/homeward/examples/"
# What the image was made from, for whoever inspects it.
printf '%s\n' "${packages[@]}" >"$stage/usr/share/homeward/runtime-packages.txt"
chown -R 0:0 "$stage"
chmod -R u=rwX,go=rX "$stage/usr" "$stage/etc"
chown "$uid:$uid" "$stage/var/lib/homeward"
chmod 0750 "$stage/var/lib/homeward"

log "binaries and data staged at $((SECONDS - start)) s"
image_tar="$work/homeward-image.tar"
cp "$root_tar" "$image_tar"
# Appended after the root: a layer may not hold a path twice, so only what
# the root lacks goes in (the binaries, not /usr/bin itself), each entry with
# the owner set above (--numeric-owner), /var/lib/homeward the user's.
(cd "$stage" && { find ./usr/bin -type f; find ./usr/share/homeward ./etc/homeward ./var/lib/homeward; } |
  tar --numeric-owner --no-recursion -rf "$image_tar" -T -)
log "image tarball written at $((SECONDS - start)) s"
share=/usr/share/homeward
revision="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)"
previous="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
podman import --quiet \
  --change "USER=$uid:$uid" \
  --change "WORKDIR=/var/lib/homeward" \
  --change "ENV=HOME=/var/lib/homeward" \
  --change "ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "EXPOSE=7000" \
  --change "EXPOSE=7080" \
  --change "LABEL=org.opencontainers.image.title=homeward" \
  --change "LABEL=org.opencontainers.image.revision=$revision" \
  --change "ENTRYPOINT=[\"/usr/bin/homeward-all-in-one\",\"--data_dir=/var/lib/homeward\",\"--taxonomy_dir=$share/taxonomy\",\"--programmes_dir=$share/programmes\",\"--instruments_dir=$share/instruments\",\"--feasibility_dir=$share/feasibility\"]" \
  --change "CMD=[\"--grpc_listen=0.0.0.0:7000\",\"--http_listen=0.0.0.0:7080\",\"--tls_certificate_file=/etc/homeward/tls/tls.crt\",\"--tls_private_key_file=/etc/homeward/tls/tls.key\"]" \
  "$image_tar" "$image" >/dev/null </dev/null
rm -f "$image_tar"
rm -rf "$stage"
# The image this tag named before, unless a container still uses it.
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$image")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
size="$(podman image inspect --format '{{.Size}}' "$image")"
log "built $image ($((size / 1024 / 1024)) MiB) in $((SECONDS - start)) s"
