#!/usr/bin/env bash
# Debian packages in dist/:
#   pgtrail                 the sink (bin/pgtrail), the SQL files, the docs and a systemd unit;
#                           built on this machine (Debian 12)
#   postgresql-NN-pgtrail   the output plugin, built against PostgreSQL NN's own headers: 15 on
#                           this machine, 17 in the trixie chroot, 18 in the sid chroot
#                           (scripts/chroot.sh builds or reuses them)
#
#   scripts/package.sh                 pgtrail and postgresql-15-pgtrail
#   scripts/package.sh --pg 17|18      only postgresql-NN-pgtrail (exit 77 when sid is unavailable)
#   BUILD_DIR=build (the sink's CMake build; made when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/packaging/deb.sh
SRC=$PWD
DIST=$SRC/dist
BUILD_DIR=${BUILD_DIR:-$SRC/build}
VERSION=$(sed -n 's/^project(pgtrail VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)-1
major=15
while [ $# -gt 0 ]; do
    case $1 in
        --pg) major=$2; shift 2 ;;
        *) echo "usage: package.sh [--pg 15|17|18]" >&2; exit 2 ;;
    esac
done

sink_package() {
    local work=$1 root=$1/root
    if [ ! -x "$BUILD_DIR/sink/pgtrail" ]; then
        cmake -S "$SRC" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
        cmake --build "$BUILD_DIR" -j"$(nproc)" --target pgtrail >/dev/null
    fi
    DESTDIR=$root cmake --install "$BUILD_DIR" --prefix /usr >/dev/null
    strip --strip-unneeded "$root/usr/bin/pgtrail"
    # The unit from the docs, installed for systemd with the packaged paths.
    install -d "$root/lib/systemd/system"
    sed -e 's|/usr/local/bin/pgtrail|/usr/bin/pgtrail|; s|/usr/local/share/doc|/usr/share/doc|' \
        "$SRC/packaging/pgtrail.service" > "$root/lib/systemd/system/pgtrail.service"
    for doc in README.md docs/*.md; do install -m 644 "$doc" "$root/usr/share/doc/pgtrail/"; done
    install -D -m 755 "$SRC/scripts/packaging/pgtrail.postinst" "$root/DEBIAN/postinst"
    deb_build "$root" "$DIST" pgtrail "$VERSION" "$(deb_depends "$root/usr/bin/pgtrail")" \
        "change tracking for PostgreSQL into a changes table (the sink)" \
        "pgtrail run streams a logical replication slot into a changes table, exactly once;" \
        "check, setup, snapshot, history and revert. Decodes the pgtrail output plugin" \
        "(postgresql-NN-pgtrail) or PostgreSQL's pgoutput. systemd unit: pgtrail.service."
}

# plugin_package MAJOR: built where that major's headers are.
plugin_package() {
    local major=$1 suite chroot_dir rc=0
    if [ "$major" = 15 ]; then
        bash scripts/packaging/plugin-deb.sh "$SRC" "$DIST" "$(command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)" "$VERSION"
        return
    fi
    case $major in 17) suite=trixie ;; 18) suite=sid ;; *) echo "package: no chroot for PostgreSQL $major" >&2; exit 2 ;; esac
    chroot_dir=$(bash scripts/chroot.sh "$suite") || rc=$?
    [ "$rc" = 0 ] || exit "$rc"
    work=$(mktemp -d "$chroot_dir/tmp/pgtrail-package.XXXXXX")
    cleanup_dirs+=("$work")
    # The plugin's sources and what the package holds, copied in (the clone stays outside).
    tar -C "$SRC" -cf - Makefile.pgxs CMakeLists.txt plugin README.md docs/FORMAT.md scripts/packaging |
        tar -C "$work" -xf -
    local inside=/tmp/$(basename "$work")
    bash scripts/chroot.sh "$suite" run bash "$inside/scripts/packaging/plugin-deb.sh" "$inside" "$inside/dist" \
        "/usr/lib/postgresql/$major/bin/pg_config" "$VERSION" >/dev/null
    mkdir -p "$DIST"
    cp "$work"/dist/*.deb "$DIST/"
    ls "$DIST"/postgresql-"$major"-pgtrail_"$VERSION"_*.deb
}

cleanup_dirs=()
trap 'rm -rf "${cleanup_dirs[@]+"${cleanup_dirs[@]}"}"' EXIT
mkdir -p "$DIST"
if [ "$major" = 15 ]; then
    work=$(mktemp -d /tmp/pgtrail-package.XXXXXX)
    cleanup_dirs+=("$work")
    sink_package "$work"
fi
plugin_package "$major"
