#!/usr/bin/env bash
# Debian chroots with another PostgreSQL major, for scripts/test-pg.sh and scripts/package.sh.
#
#   scripts/chroot.sh SUITE                 build the chroot, or reuse the cached one when it
#                                           still works; prints its directory
#   scripts/chroot.sh SUITE run CMD [ARG]...  CMD inside it, as root, with a clean environment
#                                           (give variables as VAR=value before CMD)
#
# SUITE is trixie (PostgreSQL 17) or sid (PostgreSQL 18). Chroots are cached outside any clone,
# in $PGTRAIL_CHROOT_CACHE (default /var/cache/pgtrail-chroots/SUITE), and hold postgresql-NN,
# postgresql-server-dev-NN, g++ and make. Builds are locked against each other.
#
# Exit status: 0 ready; 77 sid could not be built and no cached chroot works (sid is a moving
# archive: the caller reports SKIPPED, never passed); anything else is a failure (trixie's build
# failing always fails).
set -euo pipefail

CACHE=${PGTRAIL_CHROOT_CACHE:-/var/cache/pgtrail-chroots}
# A failed build is not retried for this long: a second test would wait another 15 minutes.
RETRY_AFTER_MIN=${PGTRAIL_CHROOT_RETRY_MIN:-60}

die() { echo "chroot: $*" >&2; exit 1; }

suite_major() {
    case $1 in
        trixie) echo 17 ;;
        sid) echo 18 ;;
        *) die "unknown suite '$1' (trixie or sid)" ;;
    esac
}

# run_in DIR CMD...: a private mount namespace holds /proc and /dev for the command (and the
# servers it leaves running), so nothing stays mounted on the host, however the command ends.
run_in() {
    local dir=$1; shift
    unshare --mount --propagation private -- /bin/sh -ec '
        dir=$1; shift
        mount -t proc proc "$dir/proc"
        mount --rbind /dev "$dir/dev"
        exec chroot "$dir" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LC_ALL=C.UTF-8 "$@"' run_in "$dir" "$@"
}

# works DIR MAJOR: the server, its headers, pg_regress, the compiler and dpkg-deb are all there.
works() {
    local dir=$1 major=$2 bin=/usr/lib/postgresql/$2/bin
    [ -x "$dir$bin/postgres" ] || return 1
    run_in "$dir" /bin/sh -ec "
        $bin/pg_config --version | grep -q 'PostgreSQL $major\.'
        test -f \$($bin/pg_config --includedir-server)/postgres.h
        test -x \$(dirname \$($bin/pg_config --pgxs))/../test/regress/pg_regress
        test -x $bin/pg_recvlogical -a -x $bin/pg_basebackup
        g++ --version >/dev/null; make --version >/dev/null; dpkg-deb --version >/dev/null
        runuser -u postgres -- true" >/dev/null 2>&1
}

build() {
    local suite=$1 major=$2 dir=$3 log=$CACHE/$1.log
    local packages=postgresql-$major,postgresql-server-dev-$major,postgresql-client-$major,g++,make,util-linux,procps
    rm -rf "$dir.new"
    echo "chroot: building $suite (PostgreSQL $major) in $dir: about 15 minutes; log in $log" >&2
    local start=$SECONDS
    # minbase without recommends or documentation: the fewest packages that build and run it.
    # No "main" cluster: the tests make their own.
    if ! mmdebstrap --variant=minbase --include="$packages" \
            --aptopt='APT::Install-Recommends "false"' \
            --aptopt='Acquire::Check-Valid-Until "false"' \
            --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
            --dpkgopt='path-exclude=/usr/share/doc/*' \
            --essential-hook='mkdir -p "$1/etc/postgresql-common/createcluster.d" && echo "create_main_cluster = false" > "$1/etc/postgresql-common/createcluster.d/pgtrail.conf"' \
            "$suite" "$dir.new" >"$log" 2>&1; then
        tail -20 "$log" >&2
        rm -rf "$dir.new"
        return 1
    fi
    works "$dir.new" "$major" || { echo "chroot: the new $suite chroot does not work" >&2; rm -rf "$dir.new"; return 1; }
    rm -rf "$dir.old"
    if [ -e "$dir" ]; then mv "$dir" "$dir.old"; fi
    mv "$dir.new" "$dir"
    rm -rf "$dir.old"
    echo "chroot: built $suite in $(( SECONDS - start )) s" >&2
}

# recently_failed SUITE: a build failed less than RETRY_AFTER_MIN minutes ago.
recently_failed() {
    local mark=$CACHE/$1.failed
    [ -f "$mark" ] && [ -n "$(find "$mark" -mmin -"$RETRY_AFTER_MIN")" ]
}

ensure() {
    local suite=$1 major dir
    major=$(suite_major "$suite")
    dir=$CACHE/$suite
    [ "$(id -u)" = 0 ] || die "needs root (chroot, mount)"
    command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (scripts/install-deps.sh installs it)"
    mkdir -p "$CACHE"
    exec 9>"$CACHE/$suite.build.lock"
    flock -w 3600 9 || die "waited an hour for another build of $suite"
    if works "$dir" "$major"; then echo "$dir"; return 0; fi
    if recently_failed "$suite"; then
        echo "chroot: $suite failed to build less than $RETRY_AFTER_MIN min ago ($CACHE/$suite.log); not retrying" >&2
    elif build "$suite" "$major" "$dir"; then
        rm -f "$CACHE/$suite.failed"
        echo "$dir"
        return 0
    else
        touch "$CACHE/$suite.failed"
    fi
    if [ "$suite" = sid ]; then
        echo "chroot: SKIPPED: sid (PostgreSQL $major) could not be built and no cached chroot works:" \
             "sid is a moving archive, its packages may be in flux. NOT TESTED on $major." >&2
        exit 77
    fi
    die "the $suite chroot could not be built ($CACHE/$suite.log)"
}

suite=${1:-}; [ -n "$suite" ] || die "usage: chroot.sh trixie|sid [run CMD...]"
shift
case ${1:-} in
    "") ensure "$suite" ;;
    run)
        shift; [ $# -gt 0 ] || die "usage: chroot.sh SUITE run CMD [ARG]..."
        dir=$CACHE/$suite
        suite_major "$suite" >/dev/null
        [ -x "$dir/usr/bin/env" ] || die "no $suite chroot in $dir (run scripts/chroot.sh $suite first)"
        run_in "$dir" "$@" ;;
    *) die "usage: chroot.sh trixie|sid [run CMD...]" ;;
esac
