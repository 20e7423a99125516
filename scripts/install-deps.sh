#!/usr/bin/env bash
# Installs the Debian packages Palette Maker needs, and only those that are missing.
#
#   scripts/install-deps.sh [run|test|dev]
#
#   run   what building and running the server needs (the default)
#   test  run + what the test suites need (Chromium, PostgreSQL, nginx)
#   dev   test + clang-format and clang-tidy (make format, make lint)
#
# Safe to run every time: when everything is present it only asks dpkg (well under a second).
# Needs root, or sudo. Node.js and npm come from Debian (Node 18, npm 9) only when `node` is
# missing or older than 18; a newer Node that is already there (e.g. from nodesource, whose
# nodejs package conflicts with Debian's npm) is kept as it is.
set -euo pipefail

mode="${1:-run}"
case "$mode" in
  run | test | dev) ;;
  -h | --help)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "install-deps.sh: unknown mode '$mode' (want run, test or dev)" >&2
    exit 2
    ;;
esac

# Toolchain and the libraries from shared/DEPENDENCIES.md "Packages".
pkgs=(
  ca-certificates git make cmake g++ pkg-config
  libcpp-httplib-dev libsqlite3-dev libsqlitecpp-dev libopencv-dev libopencv-contrib-dev
  libsodium-dev libspdlog-dev catch2 nlohmann-json3-dev libtomlplusplus-dev libcli11-dev
  libpq-dev libcurl4-openssl-dev libjpeg62-turbo-dev libpng-dev libwebp-dev libgif-dev
  libtiff-dev libavif-dev libssl-dev
  # The static release build (PM_STATIC, both modes): the .a files Debian ships (OpenCV core needs
  # LAPACK/BLAS and the Fortran runtime; libtiff's codecs) and what scripts/static-deps.sh needs to
  # build libtbb.a, libcurl.a and cpp-httplib's split header from Debian's source packages
  # (dpkg-source, python3 for split.py) and to unpack libpq.a with PostgreSQL's common/port
  # archives from downloaded packages (postgresql-server-dev-15 is not installed: it pulls clang).
  liblapack-dev libblas-dev libgfortran-12-dev libfmt-dev libbrotli-dev
  zlib1g-dev libzstd-dev liblzma-dev libdeflate-dev libjbig-dev liblerc-dev
  dpkg-dev python3 xz-utils binutils
)
if [[ $mode == test || $mode == dev ]]; then
  # Browser tests; a throwaway PostgreSQL cluster and nginx for the backend matrix and scale-out;
  # the sqlite3 shell for integration tests that set up what the API cannot yet (a viewer role);
  # systemd-analyze for the packaging test of the unit file; lintian (and dpkg-dev's
  # dpkg-shlibdeps, which it pulls in) for the Debian package test.
  pkgs+=(chromium postgresql nginx sqlite3 systemd lintian dpkg-dev)
  # The package test under a real systemd boots a debootstrapped Debian 12 with systemd-nspawn.
  pkgs+=(debootstrap systemd-container)
  # The static-binary packaging test: chroot/unshare (coreutils, util-linux) and curl.
  pkgs+=(curl coreutils util-linux)
  # kubectl kustomize renders packaging/kubernetes in its test; keep a kubectl already there.
  command -v kubectl >/dev/null 2>&1 || pkgs+=(kubernetes-client)
fi
if [[ $mode == dev ]]; then
  pkgs+=(clang-format clang-tidy)
fi

# Node.js: keep any node >= 18; otherwise take Debian's (18.x with npm 9.x).
node_major=0
if command -v node >/dev/null 2>&1; then
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
fi
if ((node_major < 18)); then
  pkgs+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  nodejs_version="$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)"
  if [[ -n $nodejs_version && $nodejs_version != *deb* ]]; then
    # A third-party nodejs (nodesource bundles npm in it) conflicts with Debian's npm.
    echo "install-deps.sh: node $(node --version) is installed (nodejs $nodejs_version) but npm is" \
      "not on PATH, and Debian's npm conflicts with that nodejs package. Reinstall it with its npm," \
      "or remove it so Debian's nodejs + npm can be installed." >&2
    exit 1
  fi
  pkgs+=(npm)
fi

# Which of them are not installed? One dpkg-query for all; unknown packages print nothing on
# stdout (their complaint on stderr is expected).
declare -A installed=()
while read -r name status; do
  [[ $status == "install ok installed" ]] && installed["${name%%:*}"]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${pkgs[@]}" 2>/dev/null || true)

missing=()
for p in "${pkgs[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

if ((EUID == 0)); then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
  # Without a terminal (CI) sudo cannot ask for a password: fail at once instead of hanging.
  if [[ ! -t 0 ]]; then
    as_root=(sudo -n)
    if ! sudo -n true 2>/dev/null; then
      echo "install-deps.sh: these Debian packages are missing: ${missing[*]}" >&2
      echo "install-deps.sh: not root, and sudo wants a password but there is no terminal to ask" \
        "on: run 'sudo scripts/install-deps.sh $mode' once, or run this as root" >&2
      exit 1
    fi
  fi
else
  echo "install-deps.sh: these Debian packages are missing: ${missing[*]}" >&2
  echo "install-deps.sh: run as root or install sudo, or install them yourself:" >&2
  echo "  apt-get install --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "install-deps.sh: installing ${#missing[@]} missing Debian package(s) with their dependencies:"
echo "  ${missing[*]}"
((${#missing[@]} < 10)) ||
  echo "install-deps.sh: (a fresh Debian 12 needs ~860 packages, ~500 MB: 4-7 minutes)"
# dpkg's --force-unsafe-io skips an fsync per unpacked file: on a fresh system that is the
# difference between ~2 and ~10 minutes. PM_APT_SAFE_IO=1 turns it off.
# DPkg::Lock::Timeout: wait for another apt (e.g. unattended-upgrades on a new machine).
apt_opts=(-y -q -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=600 --no-install-recommends)
[[ ${PM_APT_SAFE_IO:-0} == 1 ]] || apt_opts+=(-o Dpkg::Options::=--force-unsafe-io)

# apt's several thousand lines go to a log; on failure its end is shown.
log="$(mktemp /tmp/pm-install-deps.XXXXXX.log)"
start=$SECONDS
run_apt() {
  if ! "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "install-deps.sh: 'apt-get $*' failed; full log: $log" >&2
    exit 1
  fi
}
run_apt -q -o DPkg::Lock::Timeout=600 update
run_apt install "${apt_opts[@]}" "${missing[@]}"
summary="$(grep -E '^[0-9]+ upgraded, [0-9]+ newly installed' "$log" | tail -n 1 || true)"
echo "install-deps.sh: done in $((SECONDS - start)) s (${summary:-see $log}); log: $log"

if [[ " ${missing[*]} " == *" nodejs "* || " ${missing[*]} " == *" npm "* ]]; then
  echo "install-deps.sh: node $(node --version), npm $(npm --version)"
fi
