#!/usr/bin/env bash
# The Debian package under a real systemd, as a person installs it on a clean Debian 12:
#
#   tests/packaging/deb_systemd.sh BINARY
#
# Builds the .deb from BINARY (packaging/debian/build-deb.sh), boots a bare Debian 12 root with
# systemd as PID 1 (systemd-nspawn -b, private network) and inside it runs `dpkg -i`, then
# `systemctl start palettemaker`, and checks: the unit is enabled and active, Type=notify reached
# "listening", /healthz and the SPA answer, the service runs as a dynamic (non-root) user with its
# data under /var/lib/private/palettemaker, `doctor` run as the unit's user finds no FAIL, restart
# and stop end with Result=success, and `dpkg -r` then `dpkg --purge` keep the data.
#
# The root (debootstrap minbase + systemd, dbus, curl) is made once and cached in
# PM_NSPAWN_BASE (default /var/tmp/pm-nspawn-base); every run boots a fresh copy of it. Root only
# (debootstrap, nspawn). Needs the Debian mirror the host's apt uses the first time.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BINARY" >&2; exit 2; }
bin=$(readlink -f "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
base=${PM_NSPAWN_BASE:-/var/tmp/pm-nspawn-base}

fail() { echo "deb_systemd: FAIL: $*" >&2; exit 1; }
((EUID == 0)) || fail "needs root (debootstrap, systemd-nspawn)"
for tool in debootstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh test installs it)"
done

work=$(mktemp -d /var/tmp/pm-deb-systemd.XXXXXX)
cleanup() {
  local pid link
  # Anything still running inside the booted copy (a killed nspawn can leave it behind).
  for pid in /proc/[0-9]*; do
    link=$(readlink "$pid/root" 2>/dev/null || true)
    [[ $link == "$work/root" ]] && kill -KILL "${pid#/proc/}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
[[ -n ${PM_KEEP:-} ]] && trap - EXIT

# --- the cached Debian 12 root with systemd -----------------------------------------------------
if [[ ! -f $base/.pm-ready ]]; then
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "deb_systemd: debootstrap bookworm (+ systemd) from $mirror into $base (once)"
  rm -rf "$base.tmp"
  start=$SECONDS
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,curl,ca-certificates \
    bookworm "$base.tmp" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
  echo pmtest >"$base.tmp/etc/hostname"
  touch "$base.tmp/.pm-ready"
  rm -rf "$base"
  mv "$base.tmp" "$base"
  echo "deb_systemd: root ready in $((SECONDS - start)) s"
fi

# --- the package and a fresh copy of the root ---------------------------------------------------
deb=$("$repo/packaging/debian/build-deb.sh" "$bin" "$work" | tail -1)
[[ -f $deb ]] || fail "build-deb.sh wrote no package"
root="$work/root"
cp -a "$base" "$root"
cp "$deb" "$root/root/palettemaker.deb"

# The check runs as a oneshot unit once the system is up, writes KEY=VALUE lines to
# /root/result and powers the container off whatever happens.
cat >"$root/root/check.sh" <<'EOF'
#!/bin/bash
exec >/root/check.log 2>&1
trap 'echo END=1 >>/root/result; systemctl --no-block poweroff' EXIT
set -x
r() { echo "$1=$2" >>/root/result; }
dpkg -i /root/palettemaker.deb
r dpkg_install $?
r enabled "$(systemctl is-enabled palettemaker)"
systemctl start palettemaker
r start $?
r active "$(systemctl is-active palettemaker)"
for _ in $(seq 1 30); do curl -fsS http://127.0.0.1:8080/healthz && break; sleep 1; done
r healthz "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/healthz)"
r spa "$(curl -s http://127.0.0.1:8080/ | grep -c '<div id="root"')"
r status "$(systemctl show -P StatusText palettemaker)"
r type "$(systemctl show -P Type palettemaker)"
pid=$(systemctl show -P MainPID palettemaker)
r uid "$(awk '/^Uid:/ { print $2 }' /proc/$pid/status)"
r data_link "$(readlink /var/lib/palettemaker)"
r db_owner "$(stat -c %u /var/lib/private/palettemaker/palettemaker.db)"
systemd-run --wait --pipe -p DynamicUser=yes -p StateDirectory=palettemaker \
  -p ConfigurationDirectory=palettemaker \
  palettemaker --config /etc/palettemaker/palettemaker.toml doctor >/root/doctor.txt
r doctor $?
r doctor_fail "$(grep -c '^FAIL' /root/doctor.txt)"
r doctor_database "$(grep -c '^ok *database' /root/doctor.txt)"
systemctl restart palettemaker
r restart $?
r active_after_restart "$(systemctl is-active palettemaker)"
systemctl stop palettemaker
r stop_result "$(systemctl show -P Result palettemaker)"
r stop_status "$(systemctl show -P ExecMainStatus palettemaker)"
journalctl -u palettemaker --no-pager >/root/journal.txt
dpkg -r palettemaker
r dpkg_remove $?
r data_after_remove "$(test -f /var/lib/private/palettemaker/palettemaker.db && echo kept)"
dpkg --purge palettemaker
r dpkg_purge $?
r data_after_purge "$(test -f /var/lib/private/palettemaker/palettemaker.db && echo kept)"
r binary_after_purge "$(test -e /usr/bin/palettemaker && echo present || echo gone)"
EOF
chmod 0755 "$root/root/check.sh"
cat >"$root/etc/systemd/system/pm-check.service" <<'EOF'
[Unit]
Description=Palette Maker package check
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/check.sh
[Install]
WantedBy=multi-user.target
EOF
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -s /etc/systemd/system/pm-check.service "$root/etc/systemd/system/multi-user.target.wants/"

start=$SECONDS
timeout -k 10 240 systemd-nspawn -D "$root" --register=no --keep-unit --private-network \
  --console=pipe -b </dev/null >"$work/boot.log" 2>&1 || true
echo "deb_systemd: booted, checked and powered off in $((SECONDS - start)) s"

show_logs() {
  echo "--- check.log" >&2; tail -40 "$root/root/check.log" >&2 || true
  echo "--- journal" >&2; tail -20 "$root/root/journal.txt" >&2 || true
  echo "--- boot.log" >&2; tail -20 "$work/boot.log" >&2 || true
}
[[ -f $root/root/result ]] || { show_logs; fail "the check never ran inside the container"; }
declare -A got=()
while IFS='=' read -r k v; do got[$k]=$v; done <"$root/root/result"
cat "$root/root/result"
[[ ${got[END]:-} == 1 ]] || { show_logs; fail "the check did not finish"; }

expect() {
  [[ ${got[$1]:-<missing>} == "$2" ]] || { show_logs; fail "$1: got '${got[$1]:-<missing>}', want '$2'"; }
}
expect dpkg_install 0
expect enabled enabled
expect start 0
expect active active
expect healthz 200
expect spa 1
expect type notify
[[ ${got[status]:-} == "listening on http://127.0.0.1:8080" ]] ||
  { show_logs; fail "StatusText (sent with READY=1): '${got[status]:-}'"; }
[[ ${got[uid]:-0} =~ ^[0-9]+$ && ${got[uid]} -ne 0 ]] || fail "the service runs as uid '${got[uid]:-}'"
expect data_link private/palettemaker
expect db_owner "${got[uid]}"
expect doctor 0
expect doctor_fail 0
expect doctor_database 1
expect restart 0
expect active_after_restart active
expect stop_result success
expect stop_status 0
expect dpkg_remove 0
expect data_after_remove kept
expect dpkg_purge 0
expect data_after_purge kept
expect binary_after_purge gone
echo "deb_systemd: ok"
