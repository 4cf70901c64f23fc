#!/usr/bin/env bash
# Where decoding time goes: perf profile of one backend peeking a slot over the
# one variant of the decode workload of bench/decode.sh (default: standard).
#
#   bash bench/profile_decode.sh [--variant standard|wide|toast] [--scale F]
#                                [--plugins pgtrail,pgoutput,wal2json-v2] [--repeat N] [--keep]
#                                [--callgrind] [--baseline OLD/pgtrail.so]
#
# Prints, per decoder, the elapsed time and perf's top symbols (self time); the raw
# perf.data files stay in build-bench/profile/. Needs perf (Debian: linux-perf) with
# software events allowed; hardware counters are not needed.
# --callgrind instead counts instructions (valgrind, noise-free, user space only): the
# server is stopped and each peek runs in a single-user backend under callgrind; prints
# instructions per change spent in decoding (LogicalDecodingProcessRecord, inclusive)
# and the top functions. Use --scale 0.1: callgrind runs ~50x slower.
# --baseline adds another pgtrail build (as pgtrail-base) to the decoders, on the same WAL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SCALE=1
VARIANT=standard
REPEAT=3
CALLGRIND=0
BASELINE=
WANTED=pgtrail,pgoutput,wal2json-v2
while [ $# -gt 0 ]; do
    case $1 in
        --scale) SCALE=$2; shift 2 ;;
        --variant) VARIANT=$2; shift 2 ;;
        --repeat) REPEAT=$2; shift 2 ;;   # peeks per profiled backend (more samples)
        --plugins) WANTED=$2; shift 2 ;;
        --keep) export BENCH_KEEP=1; shift ;;
        --callgrind) CALLGRIND=1; shift ;;
        --baseline) BASELINE=$(realpath "$2"); shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done

OUT=$BUILD_DIR/profile

# label -> "plugin mode options" from decode_plugins.tsv
plugin_entry() {
    if [ "$1" = pgtrail-base ]; then printf 'pgtrail_base\ttext\t\n'; return; fi
    awk -F'\t' -v l="$1" '$1 == l { print $2 "\t" $3 "\t" $4; found = 1 } END { exit !found }' \
        "$BENCH_DIR/decode_plugins.tsv" || die "no decoder $1 in decode_plugins.tsv"
}

# Peeks a slot in a backend that perf records from start to end.
profile_one() {
    local label=$1 plugin mode options
    IFS=$'\t' read -r plugin mode options <<<"$(plugin_entry "$label")"
    local binary=false pidfile=$OUT/$label.pid
    [ "$mode" = binary ] && binary=true
    rm -f "$pidfile"
    # The backend writes its pid, waits for perf to attach, then decodes.
    local peeks=()
    for _ in $(seq "$REPEAT"); do
        peeks+=(-c "SELECT seconds FROM bench_peek('bench_${label//-/_}', $binary, '{$options}')")
    done
    q -c "COPY (SELECT pg_backend_pid()) TO PROGRAM 'cat > $pidfile'" -c "SELECT pg_sleep(1)" "${peeks[@]}" \
        >"$OUT/$label.seconds" &
    local psql_pid=$!
    for _ in $(seq 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
    [ -s "$pidfile" ] || die "no backend pid for $label"
    perf record -q -F 2000 -g -o "$OUT/$label.perf.data" -p "$(cat "$pidfile")" 2>/dev/null &
    local perf_pid=$!
    wait "$psql_pid" || die "decoding with $label failed"
    wait "$perf_pid" || true
    echo "## $VARIANT, $label: $(paste -sd' ' "$OUT/$label.seconds") s"
    perf report -q -i "$OUT/$label.perf.data" --no-children -g none --sort dso,symbol --percent-limit 0.7 \
        2>/dev/null | grep -v '^$' | head -45 || true
    echo
}

# Instructions one peek costs, counted by callgrind in a single-user backend (server stopped).
callgrind_one() {
    local label=$1 changes=$2 plugin mode options
    IFS=$'\t' read -r plugin mode options <<<"$(plugin_entry "$label")"
    local binary=false file=$OUT/callgrind.$label.out
    [ "$mode" = binary ] && binary=true
    echo "SELECT * FROM bench_peek('bench_${label//-/_}', $binary, '{$options}');" \
        | (cd "$OUT" && as_postgres valgrind -q --tool=callgrind --callgrind-out-file="$file" \
               "$(pg_config --bindir)/postgres" --single -D "$CLUSTER_DIR/data" postgres >/dev/null 2>"$OUT/callgrind.$label.log") \
        || die "callgrind run of $label failed"
    local decode
    decode=$(callgrind_annotate --inclusive=yes "$file" 2>/dev/null \
             | awk '/:LogicalDecodingProcessRecord / && !n++ { gsub(",", "", $1); print $1 }')
    [ -n "$decode" ] || die "no LogicalDecodingProcessRecord in $label's profile"
    echo "## $VARIANT, $label: $decode instructions decoding, $((decode / changes)) per change"
    callgrind_annotate "$file" 2>/dev/null | grep -E '^ *[0-9,]+ +\(' | sed -n '2,26p' | cut -c1-140
    echo
}

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

main() {
    command -v perf >/dev/null || install_packages linux-perf
    perf stat -e task-clock true >/dev/null 2>&1 || die "perf cannot count software events here"
    install_packages postgresql-15-wal2json postgresql-15-decoderbufs
    build_plugin
    mkdir -p "$OUT"
    chmod 777 "$OUT"  # the server (user postgres) writes the backend pid here
    local settings=(--set "autovacuum = off" --set "max_wal_size = 4GB" --set "shared_buffers = 512MB")
    if [ -n "$BASELINE" ]; then
        prepare_baseline "$BASELINE"
        settings+=("${BASELINE_SETTINGS[@]}")
        WANTED=$WANTED,pgtrail-base
    fi
    start_cluster "$BUILD_DIR/cluster-profile-$VARIANT" "${settings[@]}"
    q -f "$BENCH_DIR/sql/decode_setup.sql"
    q -f "$BENCH_DIR/sql/${VARIANT}_schema.sql"
    local label
    for label in ${WANTED//,/ }; do
        q -c "SELECT pg_create_logical_replication_slot('bench_${label//-/_}', '$(plugin_entry "$label" | cut -f1)')" >/dev/null
    done
    local inserts updates deletes
    read -r inserts updates deletes <<<"$(workload_counts "$VARIANT" "$SCALE")"
    q -v inserts="$inserts" -v updates="$updates" -v deletes="$deletes" -f "$BENCH_DIR/sql/${VARIANT}_workload.sql"
    q -c "CHECKPOINT" >/dev/null
    if [ "$CALLGRIND" = 1 ]; then
        command -v valgrind >/dev/null || install_packages valgrind
        bash "$ROOT/scripts/pg-cluster.sh" stop "$CLUSTER_DIR"
        for label in ${WANTED//,/ }; do callgrind_one "$label" $((inserts + updates + deletes)); done
        return
    fi
    # One unprofiled pass warms the caches, as the timed rounds of decode.sh are warm too.
    for label in ${WANTED//,/ }; do REPEAT=1 profile_one "$label" >/dev/null; done
    for label in ${WANTED//,/ }; do profile_one "$label"; done
}

main
