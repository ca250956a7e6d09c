#!/usr/bin/env bash
# Installs the Debian 12 packages Homeward builds with, when any is missing.
# Non-interactive and safe to rerun; uses sudo for apt when not root.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache curl
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libssl-dev libjemalloc-dev libboost1.81-dev
  libcjose-dev libjansson-dev openssl clang-14 libclang-rt-14-dev
  prometheus-cpp-dev
)
# The container image and its tests (tests/image/run-container-tests.sh;
# docs/OPERATIONS.md), unless HOMEWARD_CONTAINERS=0: debootstrap makes
# the image's Debian root; podman imports it and runs it, as root, with runc
# (named, so that apt does not pick crun for podman's "crun | runc": crun
# cannot start containers on these VMs), netavark, aardvark-dns and iptables
# for its network and published ports, catatonit for the pause container of
# `podman kube play`'s pods.
if [ "${HOMEWARD_CONTAINERS:-1}" != 0 ]; then
  packages+=(debootstrap podman runc netavark aardvark-dns iptables catatonit)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo -n)
  command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
fi
echo "Installing missing packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq </dev/null
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" </dev/null
