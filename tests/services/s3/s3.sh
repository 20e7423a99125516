#!/usr/bin/env bash
# Starts or stops the test S3 service: s3rver on a loopback port behind the SigV4-verifying
# proxy (proxy.mjs), both on free ports chosen by the OS.
#
#   s3.sh start DIR   start both, wait until they answer, write DIR/env:
#                       PM_TEST_S3_ENDPOINT=http://127.0.0.1:PROXYPORT  (the proxy, never s3rver)
#                       PM_TEST_S3_BUCKET, PM_TEST_S3_REGION, PM_TEST_S3_ACCESS_KEY_ID,
#                       PM_TEST_S3_SECRET_ACCESS_KEY
#   s3.sh stop DIR    stop both (pids in DIR) and remove DIR
#
# Needs `npm ci` in this script's directory first (the Makefile's test step runs it).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUCKET=palettemaker
REGION=us-east-1
KEY_ID=S3RVER
SECRET=S3RVER
READY_TIMEOUT_S=30

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2

# True while process $1 runs. A zombie (exited, not yet reaped by whoever adopted it once the
# start script ended) counts as gone: `kill -0` alone would wait for the reaper.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

stop() {
  local pid
  for name in proxy s3rver; do
    if [[ -f "$dir/$name.pid" ]]; then
      pid=$(cat "$dir/$name.pid")
      kill "$pid" 2>/dev/null || true
      # Wait (bounded) for it to go, so the data dir can be removed.
      for _ in $(seq 100); do alive "$pid" || break; sleep 0.05; done
      alive "$pid" && kill -9 "$pid" 2>/dev/null
    fi
  done
  rm -rf "$dir"
}

# Polls `test_cmd` until it succeeds or READY_TIMEOUT_S passes; also fails at once if the
# process `pid` died.
wait_for() {
  local what=$1 pid=$2 log=$3; shift 3
  local deadline=$((SECONDS + READY_TIMEOUT_S))
  until "$@"; do
    if ! alive "$pid"; then
      echo "s3.sh: $what exited during start-up; its log:" >&2
      cat "$log" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "s3.sh: $what not ready after ${READY_TIMEOUT_S}s; its log:" >&2
      cat "$log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
}

start() {
  if [[ ! -d "$HERE/node_modules/s3rver" || ! -d "$HERE/node_modules/@smithy/signature-v4" ]]; then
    echo "s3.sh: npm packages missing: run 'npm ci' in $HERE (make test does)" >&2
    exit 1
  fi
  # A previous run that died may have left its processes and directory behind.
  [[ -d "$dir" ]] && stop
  mkdir -p "$dir/data"
  trap 'stop' ERR

  # --openssl-legacy-provider: s3rver encrypts ListObjectsV2 continuation tokens with DES, which
  # OpenSSL 3 (Node >= 17) only offers through its legacy provider; without it every second page
  # of a listing is a 500.
  node --openssl-legacy-provider "$HERE/node_modules/s3rver/bin/s3rver.js" -d "$dir/data" -a 127.0.0.1 -p 0 \
    --no-vhost-buckets --configure-bucket "$BUCKET" --silent >"$dir/s3rver.log" 2>&1 &
  echo $! >"$dir/s3rver.pid"
  wait_for s3rver "$(cat "$dir/s3rver.pid")" "$dir/s3rver.log" \
    grep -q 'S3rver listening on' "$dir/s3rver.log"
  local s3rver_port
  s3rver_port=$(sed -n 's/.*S3rver listening on [0-9.]*:\([0-9]*\).*/\1/p' "$dir/s3rver.log" | head -1)
  [[ -n "$s3rver_port" ]] || { echo "s3.sh: cannot read s3rver's port" >&2; cat "$dir/s3rver.log" >&2; false; }

  node "$HERE/proxy.mjs" --upstream-port "$s3rver_port" --access-key-id "$KEY_ID" \
    --secret-access-key "$SECRET" --region "$REGION" --port-file "$dir/proxy.port" \
    >"$dir/proxy.log" 2>&1 &
  echo $! >"$dir/proxy.pid"
  wait_for proxy "$(cat "$dir/proxy.pid")" "$dir/proxy.log" test -s "$dir/proxy.port"
  # The proxy writes its port file from its listen callback: the file means it is listening.
  local proxy_port
  proxy_port=$(cat "$dir/proxy.port")

  cat >"$dir/env.tmp" <<ENV
PM_TEST_S3_ENDPOINT=http://127.0.0.1:$proxy_port
PM_TEST_S3_BUCKET=$BUCKET
PM_TEST_S3_REGION=$REGION
PM_TEST_S3_ACCESS_KEY_ID=$KEY_ID
PM_TEST_S3_SECRET_ACCESS_KEY=$SECRET
ENV
  mv "$dir/env.tmp" "$dir/env"
  trap - ERR
  echo "s3.sh: s3rver on 127.0.0.1:$s3rver_port behind the verifying proxy on 127.0.0.1:$proxy_port"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
