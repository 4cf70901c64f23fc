# Shared helpers for the bench/ scripts (sourced, not run).
# Each benchmark builds into build-bench/ and starts its own throwaway cluster there.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILD_DIR=${PGTRAIL_BENCH_BUILD:-$ROOT/build-bench}
PLUGIN_BUILD=$BUILD_DIR/plugin-build

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# Installs the Debian packages the project and this benchmark need (skips what is there).
install_packages() {
    bash "$ROOT/scripts/install-deps.sh" "$@" >&2 || die "installing packages failed"
}

# Builds pgtrail.so with PGXS into $PLUGIN_BUILD from a copy of the sources: a VPATH
# build would pick up stale objects from an in-tree build through make's directory search.
build_plugin() {
    mkdir -p "$PLUGIN_BUILD/plugin"
    cp -p "$ROOT/Makefile.pgxs" "$ROOT/CMakeLists.txt" "$PLUGIN_BUILD/"  # (the version is read from CMakeLists.txt)
    cp -p "$ROOT"/plugin/*.cpp "$ROOT"/plugin/*.h "$PLUGIN_BUILD/plugin/"
    make --no-print-directory -s -C "$PLUGIN_BUILD" -f Makefile.pgxs -j"$(nproc)" >&2 \
        || die "building the plugin failed"
    [ -f "$PLUGIN_BUILD/pgtrail.so" ] || die "no $PLUGIN_BUILD/pgtrail.so after the build"
}

# Reserves enough 2 MB huge pages for MB of shared memory (as root; the old count comes back with
# release_huge_pages). A server on 4 kB pages makes each new backend fault in every shared buffer
# it touches: the sink's writer, a fresh connection landing its batches on buffer after buffer,
# paid that and a one-COPY baseline did not (bench/README.md 2b, "Huge pages").
HUGE_PAGES_BEFORE=""
reserve_huge_pages() {
    local want=$(( $1 / 2 + 64 )) have
    have=$(awk '/^HugePages_Total/ { print $2 }' /proc/meminfo)
    [ "${have:-0}" -ge "$want" ] && return 0
    HUGE_PAGES_BEFORE=$have
    echo 1 >/proc/sys/vm/compact_memory 2>/dev/null || true  # free 2 MB runs out of the page cache
    echo "$want" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    have=$(awk '/^HugePages_Total/ { print $2 }' /proc/meminfo)
    [ "${have:-0}" -ge "$want" ] || die "could not reserve $want huge pages (have ${have:-0}; needs root and free memory); run with --small-pages"
}
release_huge_pages() {
    [ -n "$HUGE_PAGES_BEFORE" ] || return 0
    echo "$HUGE_PAGES_BEFORE" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    HUGE_PAGES_BEFORE=""
}

# Starts a cluster in $1 (removed on exit unless BENCH_KEEP=1); extra args go to pg-cluster.sh.
# Sets PGHOST/PGPORT/PGUSER/PGDATABASE for psql.
start_cluster() {
    CLUSTER_DIR=$1; shift
    bash "$ROOT/scripts/pg-cluster.sh" destroy "$CLUSTER_DIR" >/dev/null 2>&1 || true
    local port
    port=$(bash "$ROOT/scripts/pg-cluster.sh" start "$CLUSTER_DIR" --plugin-dir "$PLUGIN_BUILD" "$@") \
        || die "cluster did not start"
    trap stop_cluster EXIT
    export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    export PGOPTIONS="-c client_min_messages=warning"  # decoderbufs logs INFO at every start
    log "cluster on port $port ($CLUSTER_DIR)"
}

stop_cluster() {
    if [ "${BENCH_KEEP:-0}" = 1 ]; then
        log "cluster kept: $CLUSTER_DIR (port $PGPORT); remove with scripts/pg-cluster.sh destroy $CLUSTER_DIR"
        return
    fi
    bash "$ROOT/scripts/pg-cluster.sh" destroy "$CLUSTER_DIR" >/dev/null 2>&1 || true
}

# psql that stops at the first error and prints bare values. The server's own psql binary: Debian's
# /usr/bin/psql is a Perl wrapper that doubles the cost of each call (47 -> 87 ms on this machine).
PSQL_BIN=$(pg_config --bindir)/psql
q() { "$PSQL_BIN" -X -q -v ON_ERROR_STOP=1 -At "$@"; }

# poll_until SQL EXPECTED SECONDS: one server session runs SQL every 50 ms until it returns EXPECTED
# or SECONDS pass, and prints "seen EPOCH" (the server's clock when it matched) or "last VALUE". A
# psql per check would cost this 2-core machine most of a core (a fork, a connection and a Perl
# wrapper every 50 ms) and slow the very pipeline a benchmark times.
poll_until() {
    local out
    out=$(q -c "SET client_min_messages = notice" -c "DO \$poll\$
        DECLARE got text; until timestamptz := clock_timestamp() + interval '$3 seconds';
        BEGIN
            LOOP
                EXECUTE \$q\$$1\$q\$ INTO got;
                IF got IS NOT DISTINCT FROM \$q\$$2\$q\$ THEN
                    RAISE NOTICE 'seen %', extract(epoch FROM clock_timestamp());
                    RETURN;
                END IF;
                EXIT WHEN clock_timestamp() >= until;
                PERFORM pg_sleep(0.05);
            END LOOP;
            RAISE NOTICE 'last %', coalesce(got, '');
        END \$poll\$" 2>&1) || { echo "failed ${out//$'\n'/ }"; return 0; }
    sed -n 's/^NOTICE: *//p' <<<"$out"
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

# "cores, memory" of this machine, for the results header.
machine_summary() {
    local mem_kb
    mem_kb=$(awk '/MemTotal/ {print $2}' /proc/meminfo)
    echo "$(nproc) cores, $((mem_kb / 1024 / 1024)) GiB RAM, $(uname -m) $(uname -r)"
}

# Row counts of a decode workload variant, times a scale factor: "inserts updates deletes".
workload_counts() {
    local counts
    case $1 in
        standard) counts="200000 200000 50000" ;;
        wide) counts="50000 50000 12500" ;;   # 100 columns
        toast) counts="2000 10000 1000" ;;    # 20 kB TOASTed values; updates leave them alone
        *) die "unknown variant $1 (standard, wide, toast)" ;;
    esac
    awk -v s="$2" '{ for (i = 1; i <= 3; i++) { v = int($i * s); printf "%d%s", (v < 1 ? 1 : v), (i < 3 ? " " : "\n") } }' <<<"$counts"
}

# --baseline OLD.so: another pgtrail build, loadable as output plugin "pgtrail_base" (shown as
# pgtrail-base) beside the current one. Sets BASELINE_SETTINGS (pg-cluster.sh arguments).
prepare_baseline() {
    [ -f "$1" ] || die "no baseline plugin at $1"
    mkdir -p "$BUILD_DIR/plugin-baseline"
    cp "$1" "$BUILD_DIR/plugin-baseline/pgtrail_base.so"
    BASELINE_SETTINGS=(--set "dynamic_library_path = '$PLUGIN_BUILD:$BUILD_DIR/plugin-baseline:\$libdir'"
                       --set "output_plugin_libraries = 'pgoutput, test_decoding, pgtrail, wal2json, decoderbufs, pgtrail_base'")
}
