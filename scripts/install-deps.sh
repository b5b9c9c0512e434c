#!/usr/bin/env bash
# Installs the Debian 12 packages faultline builds with, only those missing;
# silent when everything is present.
#
#   scripts/install-deps.sh          what `make run` needs: the compiler and libraries
#   scripts/install-deps.sh --test   also what `make test` needs: test peers, clang for
#                                    the sanitizer and fuzz builds, Node and the
#                                    tests' npm packages (tests/web and tests/shippers,
#                                    each pinned by its package-lock.json)
set -euo pipefail
with_tests=false
case "${1:-}" in
  "") ;;
  --test) with_tests=true ;;
  *) echo "usage: $0 [--test]" >&2; exit 2 ;;
esac

# Building and running the daemon (deploy/Dockerfile's build stage mirrors these).
packages=(
  g++ cmake ninja-build pkg-config make
  libboost-dev libboost-system-dev libre2-dev nlohmann-json3-dev libmsgpack-cxx-dev prometheus-cpp-dev
  libyaml-cpp-dev libsqlite3-dev zlib1g-dev libsnappy-dev libssl-dev libpq-dev libsimdjson-dev
)
test_packages=(
  doctest-dev
  # peers for tests and benchmarks (postgresql: initdb and postgres, started by
  # the tests themselves; the package's own cluster is not used)
  ripgrep mtail curl python3 prometheus prometheus-alertmanager wrk nginx-light postgresql
  # deploy/ checks: YAML manifests, shell scripts
  python3-yaml shellcheck
  # the web page test (tests/web): Debian's browser, a font for its text
  chromium fonts-dejavu-core
  # the shipper tests (tests/shippers): real clients against the daemon
  syslog-ng-core syslog-ng-mod-http
)
# fuzz/ (make fuzz, make test): clang with libFuzzer and the sanitizer runtimes
# (only recommended by clang-14). Tools, not build dependencies of faultline, so
# outside the list above that the image's build stage must mirror.
fuzz_packages=(clang libclang-rt-14-dev)
if $with_tests; then
  packages+=("${test_packages[@]}" "${fuzz_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the web page and npm client tests. Asked for by command, not package: a
# nodesource nodejs (Node 20, which playwright-core needs) bundles npm and
# conflicts with Debian's npm package.
if $with_tests; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

$with_tests || exit 0
# The npm packages of a test folder as its lock file pins them, with npm ci. A
# copy of the installed lock file marks it done.
npm_ci() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/$1"
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-package-lock.json"; then
    echo "install-deps: npm ci in $1" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$dir/package-lock.json" "$dir/node_modules/.installed-package-lock.json"
  fi
}
# playwright-core; the browser is Debian's chromium above, never a download.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm_ci tests/web
# The shipper tests' clients: winston-loki, pino-loki, the OpenTelemetry JS logs SDK.
npm_ci tests/shippers
