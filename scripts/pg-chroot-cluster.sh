#!/usr/bin/env bash
# scripts/pg-cluster.sh inside a chroot of scripts/chroot.sh: throwaway clusters of that suite's
# PostgreSQL, running as the chroot's postgres user and listening on the host's loopback.
#
#   scripts/pg-chroot-cluster.sh SUITE start|standby|promote|crash|stop|restart|destroy DIR [options]
#
# DIR is a path inside the chroot (e.g. /tmp/x; the host sees it under the chroot's directory).
# The options are pg-cluster.sh's. The server loads the plugin installed in the chroot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=${1:?usage: pg-chroot-cluster.sh SUITE COMMAND DIR [options]}; shift
case $suite in trixie) major=17 ;; sid) major=18 ;; *) echo "pg-chroot-cluster: unknown suite $suite" >&2; exit 2 ;; esac
root=${PGTRAIL_CHROOT_CACHE:-/var/cache/pgtrail-chroots}/$suite
# A crash is signals only: sent from the host (same processes), seen through the chroot's directory.
if [ "${1:-}" = crash ]; then exec bash "$here/pg-cluster.sh" crash "$root${2:?usage: crash DIR}"; fi
install -D -m 755 "$here/pg-cluster.sh" "$root/usr/local/lib/pgtrail/pg-cluster.sh"
exec bash "$here/chroot.sh" "$suite" run PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" \
    bash /usr/local/lib/pgtrail/pg-cluster.sh "$@"
