#!/usr/bin/env bash
# npm ci in DIR, exactly as the lockfile says — with one fallback.
#
#   scripts/npm-ci.sh DIR
#
# npm 11 refuses a lockfile that lacks any platform's optional package (e.g. rollup's
# @rollup/rollup-darwin-arm64, "Missing: NAME@ from lock file"), and a registry that serves only
# some platforms' packages cannot produce a complete one; npm 9 (Debian 12's) accepts it. When
# that is the only complaint, install from the same lockfile with `npm install --no-save`
# (the locked versions, the lockfile left untouched). Any other failure stops here.
set -euo pipefail
dir="${1:?usage: npm-ci.sh DIR}"
cd "$dir"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
if npm ci --no-audit --no-fund >"$log" 2>&1; then
  grep -v -E 'Unknown (user|project|global) config|install-scripts' "$log" || true
  exit 0
fi

missing_optional=$(grep -c -E '^npm (error|ERR!) Missing: [^ ]+@ from lock file$' "$log" || true)
other_missing=$(grep -E '^npm (error|ERR!) (Missing|Invalid): ' "$log" |
  grep -v -c -E 'Missing: [^ ]+@ from lock file$' || true)
if ((missing_optional > 0 && other_missing == 0)) && grep -q -E 'code EUSAGE' "$log"; then
  echo "npm-ci.sh: npm $(npm --version) refuses $dir/package-lock.json only for $missing_optional" \
    "optional packages of other platforms that it does not list; installing the locked versions" \
    "with 'npm install --no-save'"
  before="$(sha256sum package-lock.json)"
  rc=0
  npm install --no-save --no-audit --no-fund >"$log" 2>&1 || rc=$?
  grep -v -E 'Unknown (user|project|global) config|install-scripts' "$log" || true
  ((rc == 0)) || exit "$rc"
  if [[ "$(sha256sum package-lock.json)" != "$before" ]]; then
    echo "npm-ci.sh: npm install changed $dir/package-lock.json: package.json and the lockfile" \
      "disagree; run 'npm install' in $dir and commit the lockfile" >&2
    exit 1
  fi
  exit 0
fi
cat "$log" >&2
exit 1
