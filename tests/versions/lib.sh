# Shared by the tests scripts/test-pg.sh runs on the host (bash; source it after
# tests/integration/sink/lib.sh): clusters of another major inside the chroot of
# scripts/chroot.sh (PGTRAIL_CHROOT_SUITE, PGTRAIL_CHROOT_ROOT), next to the host's own.
SUITE=${PGTRAIL_CHROOT_SUITE:?run through scripts/test-pg.sh}
CHROOT_ROOT=${PGTRAIL_CHROOT_ROOT:?run through scripts/test-pg.sh}
CHROOT_WORK=$(mktemp -d "$CHROOT_ROOT/tmp/pgtrail-versions.XXXXXX")
chmod 755 "$CHROOT_WORK"
CHROOT_CLUSTERS=()

chroot_cluster() { bash "$PGTRAIL_SOURCE_DIR/scripts/pg-chroot-cluster.sh" "$SUITE" "$@"; }

# chroot_start NAME [pg-cluster.sh start options]: a cluster of the chroot's major; prints its port.
chroot_start() {
    local name=$1; shift
    CHROOT_CLUSTERS+=("/tmp/$(basename "$CHROOT_WORK")/$name")
    chroot_cluster start "/tmp/$(basename "$CHROOT_WORK")/$name" "$@"
}

# chroot_standby NAME PRIMARY_PORT SLOT [--set ...]: a physical standby; prints its port.
chroot_standby() {
    local name=$1 primary_port=$2 slot=$3; shift 3
    CHROOT_CLUSTERS+=("/tmp/$(basename "$CHROOT_WORK")/$name")
    chroot_cluster standby "/tmp/$(basename "$CHROOT_WORK")/$name" --primary-port "$primary_port" --slot "$slot" "$@"
}

chroot_dir() { echo "/tmp/$(basename "$CHROOT_WORK")/$1"; }
# The server log of a chroot cluster, as the host sees it.
chroot_log() { echo "$CHROOT_WORK/$1/server.log"; }

versions_cleanup() {
    [ -n "$SINK_PID" ] && kill -9 "$SINK_PID" 2>/dev/null || true
    if [ "${KEEP_WORK:-}" != 1 ]; then
        for dir in "${CHROOT_CLUSTERS[@]+"${CHROOT_CLUSTERS[@]}"}"; do chroot_cluster destroy "$dir" >/dev/null 2>&1 || true; done
        rm -rf "$CHROOT_WORK"
    fi
    cleanup
}
trap versions_cleanup EXIT
