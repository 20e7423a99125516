#!/usr/bin/env bash
# The Debian package, built from the binary under test and checked three ways:
#  1. its metadata and contents (dpkg-deb --info/--contents, lintian at warning level);
#  2. a real install with dpkg into a scratch root (dpkg --root, its own admin dir whose status
#     holds the host's stanzas for the packages Depends names, maintainer scripts run chrootless
#     with $DPKG_ROOT): files, the data directory, conffile kept on reinstall and upgrade, data
#     kept on remove and purge;
#  3. the installed binary started the way the installed unit says (ExecStart, Environment,
#     WorkingDirectory, UMask, a non-root uid, the DynamicUser view of /var/lib/private), /healthz
#     answered, SIGTERM -> exit 0; and `systemd-analyze verify` of the installed unit.
# Nothing outside a temp dir is touched (needs root for dpkg --root, chown and unshare -m).
#   tests/packaging/deb_package.sh path/to/palettemaker
set -euo pipefail
bin=$(readlink -f "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build_deb="$repo/packaging/debian/build-deb.sh"
svc_uid=10001

tmp=$(mktemp -d)
chmod 0755 "$tmp"  # the service uid must reach the scratch root
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -9 "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "--- $*"; }

[[ $(id -u) -eq 0 ]] || fail "needs root (dpkg --root, chown to the service uid, unshare -m)"
command -v lintian >/dev/null || fail "lintian is missing (scripts/install-deps.sh test installs it)"

version=$("$bin" --version)
arch=$(dpkg --print-architecture)

step "build"
deb=$("$build_deb" "$bin" "$tmp/out")
[[ $deb == "$tmp/out/palettemaker_${version}_${arch}.deb" ]] || fail "unexpected file name $deb"

step "control fields"
field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == palettemaker ]] || fail "Package"
[[ $(field Version) == "$version" ]] || fail "Version"
[[ $(field Architecture) == "$arch" ]] || fail "Architecture"
[[ $(field Section) == web ]] || fail "Section"
[[ $(field Priority) == optional ]] || fail "Priority"
[[ $(field Maintainer) =~ ^.+\ \<[^@]+@[^@]+\>$ ]] || fail "Maintainer: $(field Maintainer)"
[[ -n $(field Description) ]] || fail "Description"
[[ $(field Installed-Size) =~ ^[0-9]+$ ]] || fail "Installed-Size"
depends=$(field Depends)
[[ $depends =~ libc6\ \(\>=\ ([0-9.]+)\) ]] || fail "Depends has no versioned libc6: $depends"
libc_min=${BASH_REMATCH[1]}
# The newest GLIBC_x.y symbol version the binary needs must be what libc6 (>=) says (dpkg-shlibdeps
# may round up to the version that introduced a symbol, never down).
need=$(objdump -T "$bin" | sed -n 's/.*GLIBC_\([0-9][0-9.]*\).*/\1/p' | sort -V | tail -1)
[[ $(printf '%s\n%s\n' "$need" "$libc_min" | sort -V | tail -1) == "$libc_min" ]] ||
  fail "Depends libc6 (>= $libc_min) but the binary needs GLIBC_$need"
# A static-except-glibc binary depends on libc6 only.
# (ldd's output captured first: grep -q closing the pipe early would fail the pipeline.)
libs=$(ldd "$bin")
if ! grep -vqE 'linux-vdso|libc\.so|libm\.so|ld-linux' <<<"$libs"; then
  [[ $depends == "libc6 (>= $libc_min)" ]] || fail "static binary but Depends: $depends"
fi
echo "Depends: $depends"

step "conffiles, maintainer scripts"
ctrl="$tmp/ctrl"
mkdir "$ctrl"
dpkg-deb --control "$deb" "$ctrl"
[[ $(cat "$ctrl/conffiles") == /etc/palettemaker/palettemaker.toml ]] || fail "conffiles: $(cat "$ctrl/conffiles")"
for s in postinst prerm postrm; do
  [[ $(stat -c %a "$ctrl/$s") == 755 ]] || fail "$s is not 0755"
  sh -n "$ctrl/$s"
done

step "contents"
contents=$(dpkg-deb --contents "$deb")
expected_files="./etc/palettemaker/palettemaker.toml -rw-r--r--
./lib/systemd/system/palettemaker.service -rw-r--r--
./usr/bin/palettemaker -rwxr-xr-x
./usr/share/doc/palettemaker/changelog.gz -rw-r--r--
./usr/share/doc/palettemaker/copyright -rw-r--r--
./usr/share/lintian/overrides/palettemaker -rw-r--r--"
got_files=$(awk '$1 !~ /^d/ {print $6, $1}' <<<"$contents" | LC_ALL=C sort)
[[ $got_files == "$expected_files" ]] || fail "files differ: $got_files"
awk '$2 != "root/root" {bad=1; print "not root:root: " $0} END {exit bad}' <<<"$contents" || fail "owners"
awk '$1 ~ /^d/ && $1 != "drwxr-xr-x" {bad=1; print} END {exit bad}' <<<"$contents" || fail "directory modes"
x="$tmp/x"
dpkg-deb --extract "$deb" "$x"
sections=$(readelf -S "$x/usr/bin/palettemaker")
grep -q '\.symtab' <<<"$sections" && fail "the packaged binary is not stripped"
cmp -s "$x/lib/systemd/system/palettemaker.service" "$repo/packaging/systemd/palettemaker.service" || fail "unit differs from packaging/systemd"
grep -qx 'dir = "/var/lib/palettemaker"' "$x/etc/palettemaker/palettemaker.toml" || fail "config data.dir"
[[ $(zcat "$x/usr/share/doc/palettemaker/changelog.gz") == "palettemaker ($version) "* ]] || fail "changelog"
grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$x/usr/share/doc/palettemaker/copyright" || fail "copyright"

step "lintian"
lint=$(lintian --fail-on error,warning "$deb" 2>&1) || { echo "$lint"; fail "lintian reports errors or warnings"; }

step "install into a scratch root"
root="$tmp/root"
admin="$root/var/lib/dpkg"
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
touch "$admin/available"
# Depends satisfied honestly: the host's own status stanzas for exactly the packages named.
: > "$admin/status"
# (A name may be a virtual package: then the installed package that Provides it.)
declare -A copied=()
for pkg in $(sed 's/([^)]*)//g; s/|/,/g' <<<"$depends" | tr ',' '\n' | awk 'NF {print $1}'); do
  provider=$(dpkg-query -W -f '${db:Status-Abbrev} ${Package} ${Provides}\n' | tr -d ',' |
    awk -v p="$pkg" '$1 == "ii" && !found { for (i = 2; i <= NF; i++) if ($i == p) { print $2; found = 1; break } }')
  [[ -n $provider ]] || fail "the host has nothing installed that satisfies $pkg"
  [[ -n ${copied[$provider]:-} ]] && continue
  copied[$provider]=1
  dpkg-query --status "$provider" >> "$admin/status"
  echo >> "$admin/status"
done
dpkg_r() {
  dpkg --root="$root" --admindir="$admin" --log="$tmp/dpkg.log" --force-script-chrootless "$@" < /dev/null
}
out=$(dpkg_r --install "$deb" 2>&1) || { echo "$out"; fail "dpkg --install"; }
grep -q 'data in /var/lib/palettemaker' <<<"$out" || fail "postinst message missing: $out"
status=$(dpkg_r --status palettemaker)
grep -qx 'Status: install ok installed' <<<"$status" || fail "not installed"
[[ -x $root/usr/bin/palettemaker && -f $root/lib/systemd/system/palettemaker.service ]] || fail "installed files"
[[ -f $root/etc/palettemaker/palettemaker.toml && -f $root/usr/share/doc/palettemaker/copyright ]] || fail "installed files"
# The data directory as systemd's DynamicUser + StateDirectory lays it out.
[[ -L $root/var/lib/palettemaker && $(readlink "$root/var/lib/palettemaker") == private/palettemaker ]] || fail "symlink"
[[ $(stat -c '%a %U' "$root/var/lib/private") == "700 root" ]] || fail "/var/lib/private mode"
[[ $(stat -c '%a' "$root/var/lib/private/palettemaker") == 700 ]] || fail "data dir mode"
# Nothing was enabled or started on the host.
[[ ! -e /etc/systemd/system/multi-user.target.wants/palettemaker.service ]] || fail "the host's systemd was touched"

step "conffile kept on reinstall and upgrade; data kept"
conf="$root/etc/palettemaker/palettemaker.toml"
echo '# changed by the admin' >> "$conf"
echo 'keep me' > "$root/var/lib/private/palettemaker/keep.txt"
dpkg_r --install "$deb" > /dev/null 2>&1 || fail "reinstall"
grep -qx '# changed by the admin' "$conf" || fail "reinstall replaced the changed conffile"
"$build_deb" "$bin" "$tmp/out2" "${version}+upgrade1" > /dev/null
dpkg_r --install "$tmp/out2/palettemaker_${version}+upgrade1_${arch}.deb" > /dev/null 2>&1 || fail "upgrade"
[[ $(dpkg_r --status palettemaker | sed -n 's/^Version: //p') == "${version}+upgrade1" ]] || fail "upgrade version"
grep -qx '# changed by the admin' "$conf" || fail "upgrade replaced the changed conffile"
[[ $(cat "$root/var/lib/private/palettemaker/keep.txt") == 'keep me' ]] || fail "upgrade lost data"
rm "$root/var/lib/private/palettemaker/keep.txt"

step "systemd-analyze verify the installed unit"
unit="$root/lib/systemd/system/palettemaker.service"
# verify resolves ExecStart on the host: a copy that names the installed binary.
mkdir "$tmp/verify"
sed "s#/usr/bin/palettemaker#$root/usr/bin/palettemaker#" "$unit" > "$tmp/verify/palettemaker.service"
systemd-analyze verify "$tmp/verify/palettemaker.service"

step "start the installed binary as the unit does"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
umask_value=$(sed -n 's/^UMask=//p' "$unit")
grep -q '^DynamicUser=yes$' "$unit" || fail "the test emulates DynamicUser=yes; the unit changed"
# Paths in the unit are absolute in the installed system: map them into the scratch root.
map() { sed -e "s#/usr/bin/palettemaker#$root/usr/bin/palettemaker#g" -e "s#/etc/palettemaker#$root/etc/palettemaker#g" \
  -e "s#/var/lib/palettemaker#$root/var/lib/palettemaker#g" <<<"$1"; }
read -r -a cmd <<<"$(map "$exec_start")"
[[ ${cmd[0]} == "$root/usr/bin/palettemaker" ]] || fail "ExecStart does not run the installed binary: $exec_start"
envs=()
while IFS= read -r line; do envs+=("$(map "$line")"); done < <(sed -n 's/^Environment=//p' "$unit")
((${#envs[@]} > 0)) || fail "no Environment= in the unit"
# The one setting the test adds: a free port instead of the shipped 127.0.0.1:8080.
envs+=("PALETTEMAKER_SERVER_LISTEN=127.0.0.1:0" "PALETTEMAKER_LOG_FORMAT=text")
# What systemd does for the dynamic user: the state directory belongs to it, and inside the
# service's mount namespace /var/lib/private is an empty 0755 tmpfs with only the service's own
# directory bind-mounted into it (on the host it stays 0700).
chown -R "$svc_uid:$svc_uid" "$root/var/lib/private/palettemaker"
mkdir "$tmp/stash"
private="$root/var/lib/private"
# as_service COMMAND...: COMMAND inside that view, as the service uid, in WorkingDirectory with the
# unit's UMask and only the unit's environment. It execs, so call it in a subshell.
as_service() {
  exec unshare --mount --propagation private sh -c '
    set -e
    mount --bind "$1/palettemaker" "$2"
    mount -t tmpfs -o mode=0755 tmpfs "$1"
    mkdir "$1/palettemaker"
    mount --bind "$2" "$1/palettemaker"
    umount -l "$2"
    cd "$3"
    umask "$4"
    shift 4
    exec "$@"
  ' sh "$private" "$tmp/stash" "$(map "$workdir")" "$umask_value" \
    setpriv --reuid "$svc_uid" --regid "$svc_uid" --clear-groups --no-new-privs \
    env -i PATH=/usr/bin:/bin "${envs[@]}" "$@"
}
(as_service "${cmd[@]}") > "$tmp/server.out" 2> "$tmp/server.err" &
server_pid=$!
url=
for _ in $(seq 200); do
  url=$(sed -n 's#^palettemaker listening on \(http://127\.0\.0\.1:[0-9]*\)$#\1#p' "$tmp/server.out")
  [[ -n $url ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.err" >&2; fail "the server exited at start"; }
  sleep 0.05
done
[[ -n $url ]] || { cat "$tmp/server.err" >&2; fail "the server did not start"; }
"$root/usr/bin/palettemaker" healthcheck --url "$url" || fail "healthz"
# It runs as the service uid and keeps its data where the unit says.
[[ $(stat -c %u "/proc/$server_pid") == "$svc_uid" ]] || fail "server is not running as uid $svc_uid"
[[ $(stat -c '%u %a' "$root/var/lib/private/palettemaker/palettemaker.db") == "$svc_uid 600" ]] ||
  fail "database not created by the service uid with UMask $umask_value"
# doctor, run as the service with the unit's command line (serve -> doctor), finds nothing wrong.
[[ ${cmd[-1]} == serve ]] || fail "ExecStart does not end in serve"
set +e
doctor=$(as_service "${cmd[@]:0:${#cmd[@]}-1}" doctor 2>&1)
code=$?
set -e
echo "$doctor"
[[ $code -eq 0 ]] || fail "doctor exit $code"
for check in config data_dir database objects listen clock; do
  grep -qE "^ok +$check " <<<"$doctor" || fail "doctor: $check is not ok"
done
grep -qE "^ok +config +$root/etc/palettemaker/palettemaker.toml" <<<"$doctor" || fail "doctor read another config"
kill -TERM "$server_pid"
set +e
wait "$server_pid"
code=$?
set -e
server_pid=
[[ $code -eq 0 ]] || { cat "$tmp/server.err" >&2; fail "exit code $code after SIGTERM"; }

step "remove keeps config and data; purge keeps data"
out=$(dpkg_r --remove palettemaker 2>&1) || { echo "$out"; fail "remove"; }
grep -q 'data directory was kept: /var/lib/palettemaker' <<<"$out" || fail "remove does not say where the data is: $out"
[[ ! -e $root/usr/bin/palettemaker && ! -e $unit ]] || fail "files left after remove"
grep -qx '# changed by the admin' "$conf" || fail "remove deleted the conffile"
[[ -f $root/var/lib/private/palettemaker/palettemaker.db && -L $root/var/lib/palettemaker ]] || fail "remove deleted data"
out=$(dpkg_r --purge palettemaker 2>&1) || { echo "$out"; fail "purge"; }
grep -q 'data directory was kept' <<<"$out" || fail "purge does not say where the data is: $out"
[[ ! -e $conf ]] || fail "purge kept the conffile"
[[ -f $root/var/lib/private/palettemaker/palettemaker.db && -L $root/var/lib/palettemaker ]] || fail "purge deleted data"
dpkg_r --status palettemaker > /dev/null 2>&1 && fail "still known to dpkg after purge"

echo "deb package OK ($deb, Depends: $depends)"
