#!/usr/bin/env bash
# The shipped binary depends on nothing but glibc, and works alone in the container's root
# filesystem:
#   (a) ldd lists only linux-vdso, ld-linux-x86-64, libc and libm;
#   (b) packaging/rootfs.sh builds the root filesystem in a temp dir; inside it (chroot, as uid
#       10001 like the image's USER) `palettemaker version` runs, and `palettemaker serve` with
#       its data in /data answers /healthz and /readyz, serves the web app, and makes palettes
#       from a real JPEG and PNG (static_binary_http.mjs); SIGTERM makes it exit 0.
#   tests/packaging/static_binary.sh path/to/palettemaker path/to/web/dist
# Needs root (chroot --userspec) or unprivileged user namespaces (unshare -r), and node.
set -euo pipefail
bin=$(readlink -f "$1")
web_dist=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
repo="$here/../.."

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "static_binary: FAIL: $*" >&2
  exit 1
}

# (a) Only glibc's own libraries.
ldd_out=$(ldd "$bin")
echo "$ldd_out"
while read -r name _; do
  case "$name" in
    linux-vdso.so.1 | /lib64/ld-linux-x86-64.so.2 | libc.so.6 | libm.so.6) ;;
    *) fail "ldd lists $name: the binary must link everything but glibc statically" ;;
  esac
done <<<"$ldd_out"
grep -q 'libc.so.6' <<<"$ldd_out" || fail "ldd does not list libc.so.6: $ldd_out"
echo "size: $(stat -c %s "$bin") bytes"

# (b) The root filesystem, and the binary inside it.
root="$tmp/rootfs"
"$repo/packaging/rootfs.sh" "$bin" "$root"
echo "rootfs contents:"
(cd "$root" && find . -mindepth 1 | sort | sed 's/^/  /')
[[ -z "$(find "$root" -mindepth 1 -not -path "$root/data" -not -path "$root/data/*" -perm -o+w -not -type l)" ]] ||
  fail "rootfs has world-writable files"

# Full paths: the clean environment below has no PATH.
chroot_bin=$(command -v chroot) || fail "chroot (coreutils) not found"
if ((EUID == 0)); then
  in_root=("$chroot_bin" --userspec=10001:10001 "$root")
else
  # Mapped to root inside a user namespace: chroot is allowed, uid 10001 is not mapped.
  unshare_bin=$(command -v unshare) || fail "unshare (util-linux) not found"
  in_root=("$unshare_bin" -r "$chroot_bin" "$root")
fi
# A clean environment: nothing from the host leaks in (no PATH, no HOME, no TMPDIR).
run_env=(env -i PALETTEMAKER_SERVER_LISTEN=127.0.0.1:0 PALETTEMAKER_DATA_DIR=/data
  PALETTEMAKER_SERVER_DRAIN_GRACE_S=0)

version=$("${run_env[@]}" "${in_root[@]}" /usr/bin/palettemaker version) ||
  fail "palettemaker version failed inside the rootfs"
echo "$version"
grep -Eq '^palettemaker [0-9]+\.[0-9]+\.[0-9]+$' <<<"$version" || fail "unexpected version output"

"${run_env[@]}" "${in_root[@]}" /usr/bin/palettemaker serve >"$tmp/stdout" 2>"$tmp/stderr" &
server_pid=$!
url=""
for _ in $(seq 1 200); do
  url=$(sed -n 's/.*palettemaker listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$tmp/stdout" | head -n 1)
  [[ -n $url ]] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $url ]]; then
  cat "$tmp/stdout" "$tmp/stderr" >&2
  fail "serve did not report listening within 20 s"
fi
echo "serving on $url"

# /healthz answers as soon as it listens; /readyz may take a moment.
for _ in $(seq 1 100); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$url/readyz") == 200 ]] && break
  sleep 0.1
done
if ! node "$here/static_binary_http.mjs" "$url" "$web_dist"; then
  cat "$tmp/stderr" >&2
  fail "HTTP checks against the chrooted server"
fi

# Its data went to /data and nowhere else (temporary files too: /data/tmp).
[[ -f $root/data/palettemaker.db ]] || fail "no /data/palettemaker.db"
[[ -d $root/data/tmp ]] || fail "serve did not make /data/tmp for temporary files"
if ((EUID == 0)); then
  [[ $(stat -c %u:%g "$root/data/palettemaker.db") == 10001:10001 ]] || fail "database not owned by 10001"
fi
stray=$(cd "$root" && find . -mindepth 1 -newer "$root/usr/bin/palettemaker" -not -path './data' -not -path './data/*')
[[ -z $stray ]] || fail "serve wrote outside /data: $stray"

kill -TERM "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=""
[[ $code == 0 ]] || {
  cat "$tmp/stderr" >&2
  fail "serve exited $code after SIGTERM"
}
echo "static binary OK"
