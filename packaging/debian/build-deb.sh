#!/usr/bin/env bash
# Builds palettemaker_<version>_<arch>.deb from a built binary (`make deb` runs it on
# build/release/palettemaker):
#
#   packaging/debian/build-deb.sh BINARY OUTDIR [VERSION]
#
# VERSION defaults to the binary's own `--version`. Prints the path of the .deb it wrote.
#
# Why dpkg-deb and not CPack: the package is a handful of fixed files, and the parts that need care
# (conffiles, maintainer scripts that honour $DPKG_ROOT, Depends computed by dpkg-shlibdeps from
# the binary actually shipped) are plain files here that a reader can check against Debian policy,
# instead of CPACK_DEBIAN_* variables that generate them. dpkg-deb --root-owner-group makes every
# file root:root without fakeroot.
set -euo pipefail

usage() { echo "usage: $0 BINARY OUTDIR [VERSION]" >&2; exit 2; }
[[ $# -eq 2 || $# -eq 3 ]] || usage
bin=$(readlink -f "$1")
outdir=$2
[[ -x $bin ]] || { echo "build-deb.sh: $1 is not an executable file (run make build first)" >&2; exit 1; }
for tool in dpkg-deb dpkg-shlibdeps strip; do
  command -v "$tool" > /dev/null ||
    { echo "build-deb.sh: $tool is missing (apt-get install dpkg-dev binutils)" >&2; exit 1; }
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
unit_src="$repo/packaging/systemd/palettemaker.service"

version=${3:-$("$bin" --version)}
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || { echo "build-deb.sh: bad version '$version'" >&2; exit 1; }
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/stage"
doc="$stage/usr/share/doc/palettemaker"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/palettemaker" "$doc"

# The binary, stripped (debug symbols would triple its size).
install -m 0755 "$bin" "$stage/usr/bin/palettemaker"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/palettemaker"

install -m 0644 "$unit_src" "$stage/lib/systemd/system/palettemaker.service"

# The example configuration, from the binary's own key table, with the data directory the unit
# uses (the unit also sets PALETTEMAKER_DATA_DIR, which wins; the file says the same so that the
# CLI run by hand with --config finds the same data).
data_dir=$(sed -n 's/^Environment=PALETTEMAKER_DATA_DIR=//p' "$unit_src")
config_arg=$(sed -n 's/^ExecStart=.* --config \([^ ]*\) .*/\1/p' "$unit_src")
[[ -n $data_dir && $config_arg == /etc/palettemaker/palettemaker.toml ]] ||
  { echo "build-deb.sh: $unit_src no longer names the data dir / config path this script expects" >&2; exit 1; }
conf="$stage/etc/palettemaker/palettemaker.toml"
{
  echo "# /etc/palettemaker/palettemaker.toml: the configuration of the palettemaker service"
  echo "# (palettemaker.service reads it; your changes are kept on upgrades). Environment variables"
  echo "# (systemctl edit palettemaker) win over this file. Data: $data_dir."
  echo "# Check it with: palettemaker --config /etc/palettemaker/palettemaker.toml doctor"
  echo "#"
  "$bin" config example | sed "s#^dir = \"./data\"\$#dir = \"$data_dir\"#"
} > "$conf"
chmod 0644 "$conf"
grep -qx "dir = \"$data_dir\"" "$conf" || { echo "build-deb.sh: data.dir not found in config example" >&2; exit 1; }
# The file must load as it is shipped.
env -i PATH=/usr/bin:/bin "$bin" --config "$conf" config dump > /dev/null

install -m 0644 "$here/copyright" "$doc/copyright"
install -D -m 0644 "$here/lintian-overrides" "$stage/usr/share/lintian/overrides/palettemaker"
gzip -9n < "$here/changelog" > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Depends from the shipped binary's dynamic symbols: for the static-except-glibc build that is
# libc6 (>= the newest GLIBC_x.y symbol version it uses); a dynamic build gets its libraries too.
mkdir -p "$work/src/debian"
printf 'Source: palettemaker\n\nPackage: palettemaker\nArchitecture: any\n' > "$work/src/debian/control"
depends=$(cd "$work/src" && dpkg-shlibdeps -O "$stage/usr/bin/palettemaker" 2>/dev/null |
  sed -n 's/^shlibs:Depends=//p')
[[ $depends == *libc6* ]] || { echo "build-deb.sh: dpkg-shlibdeps found no libc6 dependency" >&2; exit 1; }

installed_size=$(du -sk --apparent-size --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: palettemaker
Version: $version
Architecture: $arch
Maintainer: Palette Maker maintainers <palettemaker@users.noreply.github.com>
Installed-Size: $installed_size
Depends: $depends
Section: web
Priority: optional
Homepage: https://github.com/palettemaker/palettemaker
Description: colour palettes from images, as a self-hosted multi-tenant service
 Palette Maker extracts colour palettes and regions from uploaded images, and
 keeps them per workspace with members, roles, share links and API tokens.
 One binary serves the web app and the JSON API.
 .
 This package runs it as the systemd service palettemaker.service (hardened,
 dynamic user) with SQLite and local storage in /var/lib/palettemaker;
 PostgreSQL and S3 are configured in /etc/palettemaker/palettemaker.toml.
EOF
echo /etc/palettemaker/palettemaker.toml > "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done

# md5sums of everything but the conffile (dpkg keeps those hashes itself), as dh_md5sums does.
(cd "$stage" && find usr lib -type f | LC_ALL=C sort | xargs md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

mkdir -p "$outdir"
deb="$outdir/palettemaker_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" > /dev/null
echo "$deb"
