#!/usr/bin/env bash
# Builds the three libraries the static build (PM_STATIC) needs and Debian does not ship in a
# linkable static form, from Debian's own source packages (so Debian's security patches apply):
#
#   libtbb.a    onetbb (OpenCV's core needs TBB; Debian ships libtbb only as a shared library)
#   libcurl.a   curl, minimal: HTTP, HTTPS, SMTP, SMTPS over OpenSSL (Debian's libcurl.a needs
#               libssh2, nghttp2, librtmp, libpsl, which are shared only)
#   httplib     cpp-httplib's full header split into httplib.h + httplib.cc (Debian's
#               /usr/include/httplib.h is declarations only, the code is in a shared library)
#   libpq.a     with libpgcommon_shlib.a + libpgport_shlib.a, taken from the binary packages
#               libpq-dev and postgresql-server-dev-15 of one version (downloaded and unpacked,
#               not installed: installing postgresql-server-dev-15 would pull ~440 MB of clang
#               and LLVM for two small archives)
#
#   scripts/static-deps.sh OUTDIR
#
# Results go to OUTDIR/prefix/{include,lib,src}; OUTDIR/prefix/.complete marks a finished build,
# and a second run with the same versions does nothing. The sources are fetched with
# `apt-get source --download-only` through a private sources list and private apt state under
# OUTDIR/apt: the system's apt configuration is never read for sources nor written. Needs network
# once, dpkg-dev (dpkg-source), python3, cmake, make, a C/C++ compiler and libssl-dev.
# PM_STATIC_DEPS_JOBS (default 2) is the make -j. Prints how long it took.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: scripts/static-deps.sh OUTDIR" >&2
  exit 2
fi
out="$(mkdir -p "$1" && cd "$1" && pwd)"
jobs="${PM_STATIC_DEPS_JOBS:-2}"
prefix="$out/prefix"
# The source versions the build used; a new Debian revision of any of them rebuilds.
want_versions="$(dpkg-query -W -f='${Version} ' libtbb-dev libcurl4-openssl-dev libcpp-httplib-dev \
  libpq-dev 2>/dev/null || true)"
if [[ -f $prefix/.complete && "$(cat "$prefix/.complete")" == "$want_versions" ]]; then
  exit 0
fi

die() {
  echo "static-deps.sh: $*" >&2
  exit 1
}
for tool in apt-get dpkg-source python3 cmake make cc c++; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is missing (scripts/install-deps.sh installs it)"
done

start=$SECONDS
echo "static-deps.sh: building libtbb.a, libcurl.a and the split cpp-httplib in $out"
rm -rf "$prefix" "$out/work"
mkdir -p "$prefix/include" "$prefix/lib" "$prefix/src" "$out/work" "$out/apt/lists/partial" \
  "$out/apt/cache/archives/partial" "$out/downloads"

# --- sources: a private list with the system's deb lines and their deb-src twins -------------
apt_dir="$out/apt"
src_list="$apt_dir/sources.list"
src_parts="$apt_dir/sources.list.d"
mkdir -p "$src_parts"
: >"$src_list"
# deb822 files: the same stanzas with Types: deb-src. One-line files: deb -> deb-src.
for f in /etc/apt/sources.list.d/*.sources; do
  [[ -f $f ]] && sed 's/^Types:.*/Types: deb deb-src/' "$f" >"$src_parts/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [[ -f $f ]] && sed -n 's/^[[:space:]]*deb[[:space:]]/&/p; s/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$src_list"
done
[[ -s $src_list || -n "$(ls "$src_parts")" ]] ||
  die "found no Debian 'deb' sources in /etc/apt to derive deb-src lines from"

apt_opts=(
  -o "Dir::Etc::SourceList=$src_list" -o "Dir::Etc::SourceParts=$src_parts"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
  # As root apt downloads as the _apt user, which cannot write into a build directory.
  -o APT::Sandbox::User="$(id -un)"
)
log="$out/apt.log"
if ! apt-get "${apt_opts[@]}" -q update >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  die "apt-get update of the private deb-src list failed (no network?); list: $src_list, log: $log"
fi
if ! (cd "$out/downloads" && apt-get "${apt_opts[@]}" -q source --download-only onetbb curl cpp-httplib \
  >>"$log" 2>&1); then
  tail -n 20 "$log" >&2
  die "apt-get source onetbb curl cpp-httplib failed; log: $log"
fi
unpack() { # unpack PACKAGE -> prints the unpacked directory
  local dsc
  dsc="$(ls "$out/downloads/$1"_*.dsc 2>/dev/null | sort -V | tail -n 1)"
  [[ -n $dsc ]] || die "no $1 .dsc downloaded; log: $log"
  rm -rf "$out/work/$1"
  dpkg-source --no-check -q -x "$dsc" "$out/work/$1" >>"$log" 2>&1 || die "dpkg-source -x $dsc failed"
  echo "$out/work/$1"
}

# --- oneTBB: static, no tests, no tbbmalloc (OpenCV uses only the task scheduler) -------------
t=$SECONDS
tbb_src="$(unpack onetbb)"
cmake -S "$tbb_src" -B "$out/work/tbb-build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF \
  -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$prefix" >>"$log" 2>&1 ||
  die "oneTBB configure failed; log: $log"
cmake --build "$out/work/tbb-build" -j"$jobs" >>"$log" 2>&1 || die "oneTBB build failed; log: $log"
tbb_a="$(find "$out/work/tbb-build" -name libtbb.a | head -n 1)"
[[ -n $tbb_a ]] || die "oneTBB built no libtbb.a; log: $log"
cp "$tbb_a" "$prefix/lib/libtbb.a"
echo "static-deps.sh: libtbb.a in $((SECONDS - t)) s"

# --- curl: HTTP(S) for URL fetches and S3, SMTP(S) for mail; everything else off ---------------
t=$SECONDS
curl_src="$(unpack curl)"
(
  cd "$curl_src"
  # Debian's source has no generated configure script.
  [[ -x configure ]] || autoreconf -fi >>"$log" 2>&1
  ./configure --prefix="$prefix" --disable-shared --enable-static --with-pic \
    --with-openssl --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --without-ca-path \
    --enable-http --enable-smtp --enable-proxy --enable-ipv6 --enable-threaded-resolver \
    --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict \
    --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-gopher --disable-mqtt \
    --disable-smb --disable-manual --disable-docs --disable-ntlm-wb --disable-websockets \
    --without-libpsl --without-brotli --without-zstd --without-nghttp2 --without-nghttp3 \
    --without-ngtcp2 --without-quiche --without-msh3 --without-libidn2 --without-librtmp \
    --without-libssh2 --without-libssh --without-wolfssh --without-gssapi --without-libgsasl \
    --with-zlib >>"$log" 2>&1
) || die "curl configure failed; log: $log"
make -C "$curl_src/lib" -j"$jobs" >>"$log" 2>&1 || die "curl build failed; log: $log"
make -C "$curl_src/lib" install >>"$log" 2>&1 || die "curl install failed; log: $log"
make -C "$curl_src/include" install >>"$log" 2>&1 || die "curl header install failed; log: $log"
echo "static-deps.sh: libcurl.a in $((SECONDS - t)) s"

# --- cpp-httplib: Debian's patched full header, split so only one .cc compiles the code -------
httplib_src="$(unpack cpp-httplib)"
(cd "$httplib_src" && python3 ./split.py -e cc -o "$out/work/httplib-split") >>"$log" 2>&1 ||
  die "cpp-httplib split.py failed; log: $log"
cp "$out/work/httplib-split/httplib.h" "$prefix/include/httplib.h"
cp "$out/work/httplib-split/httplib.cc" "$prefix/src/httplib.cc"

# --- libpq.a + PostgreSQL's common/port archives, one version ----------------------------------
pg_dir="$out/work/pg"
mkdir -p "$pg_dir"
if ! (cd "$pg_dir" && apt-get "${apt_opts[@]}" -q download libpq-dev postgresql-server-dev-15 >>"$log" 2>&1); then
  tail -n 20 "$log" >&2
  die "apt-get download libpq-dev postgresql-server-dev-15 failed; log: $log"
fi
for deb in "$pg_dir"/*.deb; do dpkg-deb -x "$deb" "$pg_dir/root"; done
versions="$(for deb in "$pg_dir"/*.deb; do dpkg-deb -f "$deb" Version; done | sort -u)"
[[ $(wc -l <<<"$versions") -eq 1 ]] || die "libpq-dev and postgresql-server-dev-15 differ in version: $versions"
for a in libpq.a libpgcommon_shlib.a libpgport_shlib.a; do
  found="$(find "$pg_dir/root/usr/lib" -name "$a" | head -n 1)"
  [[ -n $found ]] || die "$a is not in the downloaded packages"
  cp "$found" "$prefix/lib/"
done
echo "static-deps.sh: libpq.a, libpgcommon_shlib.a, libpgport_shlib.a from PostgreSQL $versions"

rm -rf "$out/work"
echo "$want_versions" >"$prefix/.complete"
echo "static-deps.sh: done in $((SECONDS - start)) s"
