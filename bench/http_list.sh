#!/usr/bin/env bash
# Authenticated `GET /api/v1/t/{ws}/palettes?limit=50` throughput and latency on SQLite.
# Usage: bench/http_list.sh [path/to/palettemaker] [seconds] [connections]
# Starts the binary on a free loopback port with a temporary data dir, signs up, uploads 60
# palettes (cycling through ../shared/testdata/images), then runs wrk with keep-alive connections.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/release/palettemaker}
secs=${2:-10}
conns=${3:-64}
images=$root/../shared/testdata/images
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
PALETTEMAKER_SERVER_LISTEN=127.0.0.1:0 PALETTEMAKER_DATA_DIR=$tmp/data PALETTEMAKER_LOG_LEVEL=warn \
  "$bin" serve >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.05; done
url=$(grep -o 'http://[^ ]*' "$tmp/out")

curl -fsS -c "$tmp/jar" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password"}' "$url/api/v1/auth/signup" >"$tmp/me"
slug=$(grep -o '"slug":"[^"]*"' "$tmp/me" | head -1 | cut -d'"' -f4)
csrf=$(awk '$6=="pm_csrf"{print $7}' "$tmp/jar")
session=$(awk '$6=="pm_session"{print $7}' "$tmp/jar")
files=()
for f in fruits.jpg baboon.jpg coins.png chelsea.png smarties.png rocket.jpg; do files+=("$images/$f"); done
for i in $(seq 0 59); do
  curl -fsS -b "$tmp/jar" -H "X-CSRF-Token: $csrf" -F "file=@${files[$((i % ${#files[@]}))]}" \
    "$url/api/v1/t/$slug/palettes" >/dev/null
done

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "target: GET $url/api/v1/t/$slug/palettes?limit=50 (50 of 60 palettes), $conns connections, ${secs}s"
wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Cookie: pm_session=$session" \
  "$url/api/v1/t/$slug/palettes?limit=50"
echo "server RSS after the run: $(grep VmRSS /proc/$pid/status | awk '{print $2" "$3}')"
