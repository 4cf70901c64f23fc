#!/usr/bin/env bash
# pgtrail against another PostgreSQL major, in a Debian chroot (scripts/chroot.sh):
#
#   scripts/test-pg.sh 17     trixie's PostgreSQL 17
#   scripts/test-pg.sh 18     sid's PostgreSQL 18
#
# Builds (or reuses) the chroot, builds the postgresql-NN-pgtrail package there against that
# major's headers (scripts/package.sh --pg NN) and installs it with dpkg; then, against that
# major's server (running as postgres in the chroot, listening on the host's loopback):
#   1. the plugin's pg_regress suite (tests/regress/run.sh), run inside the chroot
#   2. the walsender test (tests/regress/walsender.sh), inside the chroot
#   3. the host's sink end to end: a random workload and the torture tables into a separate
#      destination, checked by the replay oracle (tests/versions/sink_test.sh)
#   4. failover slots: a primary and a physical standby, the primary SIGKILLed mid-workload,
#      the standby promoted, the sink following (tests/versions/failover_test.sh)
# Exit 77 (ctest: skipped) when sid's chroot cannot be built and no cached one works.
# PGTRAIL_BINARY_DIR: the host build to use (default build/, built when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
major=${1:-}
case $major in 17) suite=trixie ;; 18) suite=sid ;; *) echo "usage: test-pg.sh 17|18" >&2; exit 2 ;; esac
CACHE=${PGTRAIL_CHROOT_CACHE:-/var/cache/pgtrail-chroots}

# One run per major at a time: runs share the chroot and the package installed in it.
if [ -z "${PGTRAIL_TEST_PG_LOCKED:-}" ]; then
    mkdir -p "$CACHE"
    exec env PGTRAIL_TEST_PG_LOCKED=1 flock -w 3600 "$CACHE/pg$major.run.lock" bash "$0" "$@"
fi

start=$SECONDS
step() { echo "== test-pg $major: $* ($(( SECONDS - start )) s)"; }

step "chroot $suite"
rc=0
root=$(bash scripts/chroot.sh "$suite") || rc=$?
if [ "$rc" = 77 ]; then echo "test-pg $major: SKIPPED (no $suite chroot): PostgreSQL $major NOT TESTED" >&2; exit 77; fi
[ "$rc" = 0 ] || exit "$rc"

BUILD=${PGTRAIL_BINARY_DIR:-$SRC/build}
if [ ! -x "$BUILD/sink/pgtrail" ] || [ ! -f "$BUILD/plugin-build/pgtrail.so" ]; then
    step "building the sink on the host"
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target pgtrail plugin >/dev/null
fi

step "package postgresql-$major-pgtrail"
deb=$(BUILD_DIR=$BUILD bash scripts/package.sh --pg "$major" | tail -1)
step "install $(basename "$deb")"
cp "$deb" "$root/tmp/"
bash scripts/chroot.sh "$suite" run dpkg -i "/tmp/$(basename "$deb")" >/dev/null
rm -f "$root/tmp/$(basename "$deb")"
pkglibdir=/usr/lib/postgresql/$major/lib
owner=$(bash scripts/chroot.sh "$suite" run dpkg -S "$pkglibdir/pgtrail.so")
[ "$owner" = "postgresql-$major-pgtrail: $pkglibdir/pgtrail.so" ] || { echo "test-pg: pgtrail.so is not the package's: $owner" >&2; exit 1; }

# The tests' scripts, copied into the chroot (the clone may be closed to it).
work=$(mktemp -d "$root/tmp/pgtrail-test-pg.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
tar -C "$SRC" -cf - scripts tests/regress | tar -C "$work" -xf -
inside=/tmp/$(basename "$work")
in_chroot() {
    bash scripts/chroot.sh "$suite" run PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" \
        PGTRAIL_SOURCE_DIR="$inside" PGTRAIL_PLUGIN_DIR="$pkglibdir" PGTRAIL_BINARY_DIR="$inside/out" "$@"
}

step "pg_regress suite"
in_chroot bash "$inside/tests/regress/run.sh"
step "walsender test"
in_chroot bash "$inside/tests/regress/walsender.sh"

host_test() {
    PGTRAIL_SOURCE_DIR=$SRC PGTRAIL_BINARY_DIR=$BUILD PGTRAIL_PLUGIN_DIR=$BUILD/plugin-build PG_CONFIG=$(command -v pg_config) \
        PGTRAIL_CHROOT_SUITE=$suite PGTRAIL_CHROOT_ROOT=$root bash "$@"
}
step "the host's sink, replay oracle"
host_test tests/versions/sink_test.sh
step "failover"
host_test tests/versions/failover_test.sh
echo "test-pg $major: PASSED on $(bash scripts/chroot.sh "$suite" run "/usr/lib/postgresql/$major/bin/postgres" --version) in $(( SECONDS - start )) s"
