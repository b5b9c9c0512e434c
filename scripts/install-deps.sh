#!/usr/bin/env bash
# Installs the Debian 12 packages faultline builds and tests with, only those
# missing; silent when everything is present.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config make
  libboost-dev libboost-system-dev libre2-dev nlohmann-json3-dev prometheus-cpp-dev doctest-dev
  libyaml-cpp-dev libsqlite3-dev zlib1g-dev libssl-dev libpq-dev
  # peers for tests and benchmarks (postgresql: initdb and postgres, started by
  # the tests themselves; the package's own cluster is not used)
  ripgrep curl python3 prometheus prometheus-alertmanager wrk nginx-light postgresql
  # deploy/ checks: YAML manifests, shell scripts
  python3-yaml shellcheck
)
# fuzz/ (make fuzz, make test): clang with libFuzzer and the sanitizer runtimes
# (only recommended by clang-14). Tools, not build dependencies of faultline, so
# outside the list above that the image's build stage must mirror.
fuzz_packages=(clang libclang-rt-14-dev)
packages+=("${fuzz_packages[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
