#!/usr/bin/env bash
# Start-up to ready on SQLite: time from exec until /readyz answers 200, over N runs with a fresh
# data dir each (so migrations run every time), then once more with an existing database.
# Usage: bench/startup.sh [path/to/palettemaker] [runs]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/release/palettemaker}
runs=${2:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

measure() {  # $1 = data dir; prints milliseconds until ready
  local start end pid url=""
  start=$(date +%s%N)
  PALETTEMAKER_SERVER_LISTEN=127.0.0.1:0 PALETTEMAKER_DATA_DIR=$1 PALETTEMAKER_LOG_LEVEL=warn \
    "$bin" serve >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  while :; do
    url=$(grep -o 'http://[^ ]*' "$tmp/out" 2>/dev/null || true)
    if [ -n "$url" ] && curl -fs -o /dev/null "$url/readyz"; then break; fi
  done
  end=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (end - start) / 1000000 ))
}

fresh=(); for i in $(seq "$runs"); do fresh+=("$(measure "$tmp/d$i")"); done
warm=(); for i in $(seq "$runs"); do warm+=("$(measure "$tmp/d1")"); done
echo "fresh data dir (migrations applied): ${fresh[*]} ms"
echo "existing database:                   ${warm[*]} ms"
