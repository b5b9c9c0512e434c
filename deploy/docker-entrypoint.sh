#!/bin/bash
# Container entrypoint for faultline.
#
#   docker run IMAGE                    -> preflight, then faultline serve
#   docker run IMAGE serve --flag ...   -> the same, with extra serve flags
#   docker run IMAGE --log-level debug  -> flags alone mean serve
#   docker run IMAGE scan|rules|version -> that faultline command, no preflight
#   docker run IMAGE bash               -> anything else is run as given
#
# Before `serve` it checks what the daemon needs and names what is missing, so a
# broken image or mount fails with one readable line instead of a loader error
# or a crash loop: every shared library resolves (ldd), the rule pack exists and
# holds *.yaml files, and the store's directory exists and is writable.
#
# Environment: FAULTLINE_RULES (read by the daemon itself), FAULTLINE_STORE
# (passed as --store unless a --store flag or a --config file is given), PORT
# (the daemon listens on 0.0.0.0:$PORT), FAULTLINE_BIN (the binary to run).
# Exit status: 127 when the binary cannot start (missing library), 2 for a
# missing or unusable rules path or store directory (as the daemon exits 2 for
# bad configuration).
set -euo pipefail

FAULTLINE_BIN=${FAULTLINE_BIN:-/usr/local/bin/faultline}
me="faultline preflight"

fail() {
  local code=$1
  shift
  printf '%s: %s\n' "$me" "$*" >&2
  exit "$code"
}

# The Debian 12 package that ships a library the binary links, for the message.
package_for() {
  case $1 in
    libre2.so.9) echo libre2-9 ;;
    libyaml-cpp.so.0.7) echo libyaml-cpp0.7 ;;
    libsqlite3.so.0) echo libsqlite3-0 ;;
    libprometheus-cpp-core.so.1.0) echo libprometheus-cpp-core1.0 ;;
    libz.so.1) echo zlib1g ;;
    libsnappy.so.1) echo libsnappy1v5 ;;
    libssl.so.3 | libcrypto.so.3) echo libssl3 ;;
    libcurl.so.4) echo libcurl4 ;;
    libstdc++.so.6) echo libstdc++6 ;;
    libgcc_s.so.1) echo libgcc-s1 ;;
    *) echo "" ;;
  esac
}

check_binary() {
  { [ -f "$FAULTLINE_BIN" ] && [ -x "$FAULTLINE_BIN" ]; } ||
    fail 127 "$FAULTLINE_BIN is missing or not executable"
  command -v ldd >/dev/null || fail 127 "ldd is not installed (package libc-bin); cannot check $FAULTLINE_BIN"
  local out missing lib package
  out=$(ldd "$FAULTLINE_BIN" 2>&1) || fail 127 "ldd $FAULTLINE_BIN failed: $out"
  missing=$(printf '%s\n' "$out" | awk '/=> *not found/ {print $1}')
  [ -z "$missing" ] && return 0
  for lib in $missing; do
    package=$(package_for "$lib")
    printf '%s: shared library %s: not found%s\n' "$me" "$lib" \
      "${package:+ (Debian 12 package $package)}" >&2
  done
  fail 127 "$FAULTLINE_BIN cannot start: add the package(s) above to the runtime stage of deploy/Dockerfile"
}

check_rules() {
  local rules=$1 packs
  if [ -d "$rules" ]; then
    # Non-recursive, following symlinks: a Kubernetes ConfigMap mount is a
    # directory of symlinks into ..data/.
    packs=$(find -L "$rules" -mindepth 1 -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | wc -l)
    [ "$packs" -gt 0 ] ||
      fail 2 "rules directory $rules holds no *.yaml rule pack (is the rules ConfigMap or volume mounted there?)"
    { [ -r "$rules" ] && [ -x "$rules" ]; } || fail 2 "rules directory $rules is not readable by uid $(id -u)"
  elif [ -e "$rules" ]; then
    [ -r "$rules" ] || fail 2 "rules file $rules is not readable by uid $(id -u)"
  else
    fail 2 "rules path $rules does not exist (set --rules or FAULTLINE_RULES to the rule pack, or mount it there)"
  fi
}

check_store() {
  local store=$1 dir
  case $store in *://*) return 0 ;; esac  # a database URL, not a file
  dir=$(dirname -- "$store")
  [ -d "$dir" ] ||
    fail 2 "store directory $dir does not exist (mount a volume there, or set --store/FAULTLINE_STORE)"
  { [ -w "$dir" ] && [ -x "$dir" ]; } ||
    fail 2 "store directory $dir is not writable by uid $(id -u) (chown the volume to it, or set fsGroup: $(id -g) on Kubernetes)"
}

serve() {
  local rules="" store="" has_config=0 help=0 previous=""
  local arg
  for arg in "$@"; do
    case $previous in
      --rules) rules=$arg ;;
      --store) store=$arg ;;
    esac
    case $arg in
      --rules=*) rules=${arg#--rules=} ;;
      --store=*) store=${arg#--store=} ;;
      --config | --config=*) has_config=1 ;;
      -h | --help) help=1 ;;
    esac
    previous=$arg
  done
  [ "$help" = 1 ] && exec "$FAULTLINE_BIN" serve "$@"

  local extra=()
  # Without --rules, the daemon takes the config file's rules, else $FAULTLINE_RULES.
  if [ -z "$rules" ] && [ "$has_config" = 0 ]; then rules=${FAULTLINE_RULES:-}; fi
  if [ -z "$store" ] && [ "$has_config" = 0 ] && [ -n "${FAULTLINE_STORE:-}" ]; then
    store=$FAULTLINE_STORE
    extra=(--store "$store")
  fi

  check_binary
  [ -n "$rules" ] && check_rules "$rules"
  [ -n "$store" ] && check_store "$store"
  exec "$FAULTLINE_BIN" serve "${extra[@]}" "$@"
}

case ${1:-serve} in
  serve)
    [ $# -gt 0 ] && shift
    serve "$@"
    ;;
  -*) serve "$@" ;;
  scan | rules | version | help) exec "$FAULTLINE_BIN" "$@" ;;
  *) exec "$@" ;;
esac
