#!/usr/bin/env bash
# Tries the README's commands as a new user would: in a bare Debian 12 (debootstrap minbase +
# ca-certificates, git, make, sudo) with a fresh clone of this repository's committed HEAD and
# shared/ beside it, runs COMMAND (default `make test`) as root under chroot.
#
#   sudo scripts/fresh-debian.sh [COMMAND]
#
# Environment: PM_CHROOT (default /var/tmp/pm-chroot), PM_CHROOT_BASE (the cached debootstrap
# result, default /var/tmp/pm-chroot-base), PM_SHARED (default ../shared), PM_REPO (default this
# repository). The chroot is made anew from the cached base every run and is left, unmounted,
# for inspection; every mount is undone on exit, and any process still running inside is ended.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${PM_REPO:-$here}"
shared="${PM_SHARED:-$here/../shared}"
root="${PM_CHROOT:-/var/tmp/pm-chroot}"
base="${PM_CHROOT_BASE:-/var/tmp/pm-chroot-base}"
cmd="${1:-make test}"
proj=/home/u/palettemaker

((EUID == 0)) || { echo "fresh-debian.sh: needs root (debootstrap, mount, chroot)" >&2; exit 1; }

mounted_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts; }

stop_inside() {
  local pid link
  for pid in /proc/[0-9]*; do
    link="$(readlink "$pid/root" 2>/dev/null || true)"
    if [[ $link == "$root" || $link == "$root/"* ]]; then
      echo "fresh-debian.sh: ending pid ${pid#/proc/} left inside the chroot: $(tr '\0' ' ' <"$pid/cmdline" 2>/dev/null | cut -c1-100)" >&2
      kill -TERM "${pid#/proc/}" 2>/dev/null || true
    fi
  done
}

unmount_all() {
  stop_inside
  sleep 0.5
  local m
  # Deepest first.
  for m in $(mounted_under "$root" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  if [[ -n $(mounted_under "$root") ]]; then
    echo "fresh-debian.sh: still mounted under $root:" >&2
    mounted_under "$root" >&2
  fi
}

mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
  true)"
mirror="${mirror:-http://deb.debian.org/debian}"

if [[ ! -x $base/usr/bin/git ]]; then
  command -v debootstrap >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
  echo "== debootstrap bookworm from $mirror into $base"
  rm -rf "$base.tmp"
  debootstrap --variant=minbase --include=ca-certificates,git,make,sudo bookworm "$base.tmp" \
    "$mirror" >/dev/null
  mv "$base.tmp" "$base"
fi

if [[ ${PM_CHROOT_REUSE:-0} == 1 && -d $root$proj/main ]]; then
  # Warm run: the same chroot (packages, clone, build) as last time.
  unmount_all
  fresh=0
else
  fresh=1
  # A new chroot from the base. Never delete a tree that still has mounts in it.
  unmount_all
  if [[ -n $(mounted_under "$root") ]]; then
    echo "fresh-debian.sh: refusing to remove $root: it still has mounts" >&2
    exit 1
  fi
  rm -rf "$root"
  cp -a "$base" "$root"
  cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/"
  # As on this host: debian.sources only (debootstrap's sources.list would duplicate it).
  rm -f "$root/etc/apt/sources.list"
  # The network as this host sees it: its resolver, and the CAs it added locally (an HTTPS
  # proxy's, where there is one), so that apt and npm reach what they reach here.
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null 2>&1
  fi
fi

trap unmount_all EXIT
mount -t proc proc "$root/proc"
mount --bind /sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

if ((fresh)); then
  mkdir -p "$root$proj"
  git clone -q "$repo" "$root$proj/main"
  [[ -d $shared ]] && cp -a "$shared" "$root$proj/shared"
else
  git -C "$root$proj/main" pull -q --ff-only
fi
echo "== $(git -C "$root$proj/main" log --oneline -1)"
echo "== chroot $root: cd $proj/main && $cmd"

start=$SECONDS
set +e
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-true}" \
  /bin/bash -c "cd $proj/main && $cmd" </dev/null 2>&1 |
  while IFS= read -r line; do printf '[%4d s] %s\n' $((SECONDS - start)) "$line"; done
rc=${PIPESTATUS[0]}
set -e
echo "== '$cmd' in the fresh Debian 12: exit $rc after $((SECONDS - start)) s"
exit "$rc"
