#!/usr/bin/env bash
# The systemd unit passes `systemd-analyze verify`, its offline security exposure stays <= 2.0,
# and it names the binary's real config flag and serve command. (READY=1 over $NOTIFY_SOCKET is
# checked by notify_ready_test.cc against the real binary.)
#   tests/packaging/systemd_unit.sh path/to/palettemaker
set -euo pipefail
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
unit="$here/../../packaging/systemd/palettemaker.service"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify wants ExecStart's binary to exist: point a copy of the unit at the built one.
sed "s#/usr/bin/palettemaker#$bin#" "$unit" > "$tmp/palettemaker.service"
systemd-analyze verify "$tmp/palettemaker.service"
score=$(systemd-analyze security --offline=true "$tmp/palettemaker.service" 2>&1 | sed -n 's/.*Overall exposure level for palettemaker.service: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security exposure: $score"
awk -v s="$score" 'BEGIN { exit !(s != "" && s <= 2.0) }' || { echo "exposure $score > 2.0" >&2; exit 1; }

# The ExecStart line must be a command line the binary accepts.
grep -q '^ExecStart=/usr/bin/palettemaker --config /etc/palettemaker/palettemaker.toml serve$' "$unit"
"$bin" --help | grep -q -- '--config'

echo "systemd unit OK"
