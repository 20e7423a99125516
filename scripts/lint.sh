#!/usr/bin/env bash
# clang-tidy on every src/**/*.cc, JOBS at a time, using build/ci/compile_commands.json.
# Prints only the findings; exits non-zero when clang-tidy reports an error.
# Usage: scripts/lint.sh [FILE...]   (default: all of src/)
set -euo pipefail
cd "$(dirname "$0")/.."

db=build/ci
if [[ ! -f $db/compile_commands.json ]]; then
  echo "lint.sh: $db/compile_commands.json is missing: run 'cmake --preset ci' first" >&2
  exit 1
fi
if (($# == 0)); then
  mapfile -t files < <(find src -name '*.cc' | sort)
else
  files=("$@")
fi
((${#files[@]} > 0)) || { echo "lint.sh: no files"; exit 0; }

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
start=$SECONDS
rc=0
printf '%s\0' "${files[@]}" |
  xargs -0 -n 1 -P "${JOBS:-$(nproc)}" clang-tidy -p "$db" --quiet \
    --extra-arg=-Wno-unknown-warning-option >"$out" 2>&1 || rc=$?
# A finding in a header is reported once per file that includes it: print each block once.
awk '
  /^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$/ || /^Suppressed [0-9]+ warnings/ ||
    /^Use -header-filter/ || /^Error while processing/ { next }
  /^[^ ].*:[0-9]+:[0-9]+: (warning|error): / { flush(); key = $0; block = $0; next }
  { block = (block == "" ? $0 : block "\n" $0) }
  function flush() { if (block != "" && !(key in seen)) { seen[key] = 1; print block; n++ } block = ""; key = "" }
  END { flush(); printf "clang-tidy: %d distinct findings\n", n }
' "$out"
echo "clang-tidy: ${#files[@]} files, $((SECONDS - start)) s"
exit "$rc"
