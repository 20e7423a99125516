#!/usr/bin/env bash
# Per-request cost of the HTTP metrics: GET /healthz (no database, no tenant) with metrics.enabled
# true and false, alternating, `rounds` times each. With false the HTTP layer records nothing, so
# the difference is the cost of the request counter, the latency histogram and the in-flight gauge.
# Usage: bench/http_metrics.sh [path/to/palettemaker] [seconds] [connections] [rounds]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/release/palettemaker}
secs=${2:-10}
conns=${3:-32}
rounds=${4:-2}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

tmp=$(mktemp -d)
pid=
stop() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop; rm -rf "$tmp"' EXIT

run() {  # $1 = true|false
  rm -rf "$tmp/data" "$tmp/out"
  PALETTEMAKER_SERVER_LISTEN=127.0.0.1:0 PALETTEMAKER_DATA_DIR=$tmp/data PALETTEMAKER_LOG_LEVEL=warn \
    PALETTEMAKER_METRICS_ENABLED=$1 PALETTEMAKER_SERVER_DRAIN_GRACE_S=0 "$bin" serve >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/out" 2>/dev/null && break; sleep 0.05; done
  url=$(grep -o 'http://[^ ]*' "$tmp/out")
  wrk -t2 -c"$conns" -d2s "$url/healthz" >/dev/null  # warm-up
  rps=$(wrk -t2 -c"$conns" -d"${secs}s" --latency "$url/healthz" | tee "$tmp/wrk" | awk '/Requests\/sec/{print $2}')
  p99=$(awk '$1=="99%"{print $2}' "$tmp/wrk")
  if [ "$1" = true ]; then
    # The scrape must have seen the requests: the counter is the proof metrics were on.
    count=$(curl -fsS "$url/metrics" | awk '/^palettemaker_http_requests_total\{route="\/healthz"/{s+=$2} END{print s+0}')
  else
    count="(metrics off: $(curl -s -o /dev/null -w '%{http_code}' "$url/metrics"))"
  fi
  echo "metrics.enabled=$1: $rps req/s, p99 $p99, /healthz counted: $count"
  stop
}

echo "machine: $(nproc) cores, $(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "target: GET /healthz, $conns connections, ${secs}s per run, $rounds rounds"
for _ in $(seq "$rounds"); do
  run true
  run false
done
