#!/usr/bin/env bash
# Assembles the minimal root filesystem of the container image around the static binary:
#
#   packaging/rootfs.sh BINARY OUTDIR
#
# OUTDIR gets exactly:
#   /usr/bin/palettemaker                   BINARY (PM_STATIC build: only glibc is shared)
#   the glibc files `ldd BINARY` names      e.g. /lib64/ld-linux-x86-64.so.2,
#                                           /lib/x86_64-linux-gnu/libc.so.6, .../libm.so.6
#   /etc/ssl/certs/ca-certificates.crt      CA bundle; libcurl has this path compiled in
#                                           (scripts/static-deps.sh), and /usr/lib/ssl/cert.pem
#                                           links to it for OpenSSL's default verify path
#   /etc/passwd, /etc/group                 root and palettemaker (uid/gid 10001)
#   /data                                   10001:10001, mode 0750: the only writable path.
#                                           serve puts temporary files (SQLite spills, export
#                                           archives) in /data/tmp unless TMPDIR says otherwise;
#                                           backups are written beside their target.
# Fails if ldd lists any library that is not glibc's own (the binary must be the static build).
# Deterministic: fixed modes, and every mtime is set to SOURCE_DATE_EPOCH (default: the
# binary's). Runs as non-root too, except that /data then stays owned by the caller (a warning
# says so): set the owner of /data alone when packaging the tree (not of everything, as
# `COPY --chown` would: the binary must stay root's). A Docker build stage runs as root.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: packaging/rootfs.sh BINARY OUTDIR" >&2
  exit 2
fi
bin="$1"
out="$2"
die() {
  echo "rootfs.sh: $*" >&2
  exit 1
}
[[ -f $bin && -x $bin ]] || die "$bin is not an executable file"
ca=/etc/ssl/certs/ca-certificates.crt
[[ -s $ca ]] || die "$ca is missing (Debian package ca-certificates)"
if [[ -e $out && -n "$(ls -A "$out" 2>/dev/null)" ]]; then
  die "$out exists and is not empty"
fi

# ldd lines: "libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2
# (0x...)", "linux-vdso.so.1 (0x...)" (in the kernel, nothing to copy).
ldd_out="$(ldd "$bin" 2>&1)" || die "ldd $bin failed: $ldd_out"
files=()
while read -r line; do
  [[ -z $line ]] && continue
  name="${line%% *}"
  path=""
  if [[ $line == *" => "* ]]; then
    path="$(sed -n 's/.* => \(\/[^ ]*\) (.*/\1/p' <<<"$line")"
  elif [[ $name == /* ]]; then
    path="$name"
  fi
  case "$(basename "$name")" in
    linux-vdso.so.* | linux-gate.so.*) continue ;;
    ld-linux*.so.* | libc.so.6 | libm.so.6 | libpthread.so.0 | libdl.so.2 | librt.so.1 | \
      libresolv.so.2 | libutil.so.1 | libanl.so.1) ;;
    *) die "ldd lists '$line', which is not part of glibc: $bin is not the static build" ;;
  esac
  [[ -n $path && -f $path ]] || die "cannot find the file for ldd's '$line'"
  files+=("$path")
done <<<"$ldd_out"
((${#files[@]} > 0)) || die "ldd lists no libraries: is $bin dynamically linked at all?"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
umask 022
chmod 0755 "$out"  # it becomes "/": everyone must be able to traverse it
install -d -m 0755 "$out/usr" "$out/usr/bin" "$out/etc" "$out/etc/ssl" "$out/etc/ssl/certs" \
  "$out/usr/lib" "$out/usr/lib/ssl"
install -m 0755 "$bin" "$out/usr/bin/palettemaker"
for f in "${files[@]}"; do
  # The path as ldd (and the binary's PT_INTERP) names it, holding the real file's content.
  install -d -m 0755 "$out$(dirname "$f")"
  install -m 0755 "$(readlink -f "$f")" "$out$f"
done
install -m 0644 "$(readlink -f "$ca")" "$out$ca"
ln -s "$ca" "$out/usr/lib/ssl/cert.pem"
printf 'root:x:0:0:root:/root:/sbin/nologin\npalettemaker:x:10001:10001:Palette Maker:/data:/sbin/nologin\n' \
  >"$out/etc/passwd"
printf 'root:x:0:\npalettemaker:x:10001:\n' >"$out/etc/group"
chmod 0644 "$out/etc/passwd" "$out/etc/group"
install -d -m 0750 "$out/data"
if ((EUID == 0)); then
  chown 10001:10001 "$out/data"
else
  echo "rootfs.sh: not root: $out/data is owned by $(id -un), not 10001:10001; run as root (a" \
    "Docker build stage is), or set the owner of /data alone when packaging the tree" >&2
fi

# Same inputs, same tree: one timestamp for everything.
epoch="${SOURCE_DATE_EPOCH:-$(stat -c %Y "$bin")}"
find "$out" -exec touch -h -d "@$epoch" {} +
echo "rootfs.sh: $out: $(find "$out" -type f | wc -l) files, $(du -sk "$out" | cut -f1) KB"
