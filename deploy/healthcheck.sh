#!/bin/bash
# Docker HEALTHCHECK for faultline: GET /healthz on 127.0.0.1:$PORT and exit 0
# on a 200, 1 otherwise. Plain bash (/dev/tcp), so the image needs no curl.
# Usage: faultline-healthcheck [PORT]   (default: $PORT, else 8080)
port=${1:-${PORT:-8080}}
# A server that answers and closes before our request is written must not kill
# us with SIGPIPE: its answer is still there to read.
trap '' PIPE
{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || {
  echo "faultline-healthcheck: nothing listens on 127.0.0.1:$port" >&2
  exit 1
}
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 2>/dev/null
status=""
IFS= read -r -t 3 status <&3 || true
exec 3<&-
case $status in
  "HTTP/1."[01]" 200"*) exit 0 ;;
esac
echo "faultline-healthcheck: GET /healthz on port $port answered: ${status:-nothing}" >&2
exit 1
