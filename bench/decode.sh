#!/usr/bin/env bash
# Decode throughput: pgtrail against wal2json (v1, v2), test_decoding, pgoutput and
# decoderbufs, side by side on the same WAL (issue 4, section 1).
#
#   bash bench/decode.sh [--rounds N] [--variants standard,wide,toast] [--scale F] [--keep]
#                        [--baseline OLD/pgtrail.so]
#
# Installs its packages, builds the plugin into build-bench/, starts its own cluster,
# and per variant: creates one slot per decoder, runs the workload, then reads every
# slot with pg_logical_slot_peek_(binary_)changes for N rounds (order rotated each round)
# and prints the median time, changes/s, bytes per change and the ratios to pgoutput and
# wal2json v2. Exits non-zero only when the run itself is broken (a decoder fails or
# pgtrail's record count disagrees with test_decoding's), never for a missed target.
# --baseline measures another build of the plugin beside this one (as pgtrail-base) and
# says whether their outputs are byte-identical: the A/B test for a plugin change.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-5}
VARIANTS=standard,wide,toast
SCALE=1
BASELINE=
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) ROUNDS=$2; shift 2 ;;
        --variants) VARIANTS=$2; shift 2 ;;
        --scale) SCALE=$2; shift 2 ;;   # multiplies every row count (0.1 for a quick try)
        --keep) export BENCH_KEEP=1; shift ;;
        --baseline) BASELINE=$(realpath "$2"); shift 2 ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive integer"


RESULTS=$BUILD_DIR/decode-results
PLUGINS=()  # "label plugin mode options"

read_plugins() {
    local label plugin mode options
    while IFS=$'\t' read -r label plugin mode options; do
        [[ -z $label || $label == \#* ]] && continue
        PLUGINS+=("$label	$plugin	$mode	${options:-}")
    done < "$BENCH_DIR/decode_plugins.tsv"
}

slot_of() { echo "bench_${1//-/_}"; }

create_slots() {
    local entry label plugin
    for entry in "${PLUGINS[@]}"; do
        IFS=$'\t' read -r label plugin _ <<<"$entry"
        q -c "SELECT pg_create_logical_replication_slot('$(slot_of "$label")', '$plugin')" >/dev/null \
            || die "creating the $plugin slot failed (is postgresql-15-$plugin installed?)"
    done
}

drop_slots() {
    q -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE 'bench\_%'" >/dev/null
}

# One timed peek: prints "seconds|records|bytes".
peek() {
    local label=$1 mode=$2 options=$3
    local binary=false
    [ "$mode" = binary ] && binary=true
    q -c "SELECT * FROM bench_peek('$(slot_of "$label")', $binary, '{$options}')" \
        || die "decoding with $label failed"
}

# Record counts that must agree: pgtrail's I/U/D records and test_decoding's change lines.
check_counts() {
    local pgtrail_changes td_changes
    pgtrail_changes=$(q -c "SELECT count(*) FROM pg_logical_slot_peek_changes('bench_pgtrail', NULL, NULL)
                            WHERE data !~ '^\{\"op\":\"[BC]\"'")
    td_changes=$(q -c "SELECT count(*) FROM pg_logical_slot_peek_changes('bench_test_decoding', NULL, NULL)
                       WHERE data LIKE 'table %'")
    [ "$pgtrail_changes" = "$td_changes" ] \
        || die "pgtrail wrote $pgtrail_changes change records, test_decoding $td_changes"
    [ "$td_changes" -gt 0 ] || die "no changes decoded"
    echo "$td_changes"
}

# With --baseline: are the two builds' outputs byte-identical?
compare_baseline() {
    local digest="SELECT md5(string_agg(data, E'\\n')) FROM pg_logical_slot_peek_changes('%s', NULL, NULL)"
    local new old
    new=$(q -c "$(printf "$digest" bench_pgtrail)")
    old=$(q -c "$(printf "$digest" bench_pgtrail_base)")
    if [ "$new" = "$old" ]; then echo "identical"; else echo "DIFFERENT"; fi
}

run_variant() {
    local variant=$1 inserts updates deletes
    read -r inserts updates deletes <<<"$(workload_counts "$variant" "$SCALE")"
    log "$variant: schema, slots, workload ($inserts inserts, $updates updates, $deletes deletes)"
    q -f "$BENCH_DIR/sql/${variant}_schema.sql"
    create_slots
    q -v inserts="$inserts" -v updates="$updates" -v deletes="$deletes" -f "$BENCH_DIR/sql/${variant}_workload.sql"
    q -c "CHECKPOINT" >/dev/null
    local changes wal
    changes=$(check_counts)
    wal=$(q -c "SELECT pg_size_pretty(pg_current_wal_lsn() - min(restart_lsn)) FROM pg_replication_slots WHERE slot_name LIKE 'bench\_%'")
    local same=""
    [ -z "$BASELINE" ] || same="; pgtrail and pgtrail-base outputs: $(compare_baseline)"
    log "$variant: $changes changes, $wal of WAL per decode$same; $ROUNDS rounds"
    local out=$RESULTS/$variant.tsv n=${#PLUGINS[@]}
    : >"$out"
    for ((round = 1; round <= ROUNDS; round++)); do
        for ((k = 0; k < n; k++)); do
            local label plugin mode options result
            IFS=$'\t' read -r label plugin mode options <<<"${PLUGINS[$(((k + round - 1) % n))]}"
            result=$(peek "$label" "$mode" "$options")
            printf '%s\t%s\t%s\n' "$label" "$round" "${result//|/$'\t'}" >>"$out"
        done
        log "$variant: round $round/$ROUNDS done"
    done
    drop_slots
    q -c "DROP TABLE bench_$variant" >/dev/null
    report "$variant" "$changes" "$wal" "$out" "$same"
}

# Markdown table: median seconds, changes/s, bytes per change, ratios to pgoutput and wal2json v2.
report() {
    local variant=$1 changes=$2 wal=$3 file=$4 note=${5:-}
    echo
    echo "### $variant: $changes changes, $wal of WAL, median of $ROUNDS rounds$note"
    echo
    awk -F'\t' -v changes="$changes" '
        function median(label,   n, i, j, t, v) {
            n = count[label]
            for (i = 1; i <= n; i++) v[i] = secs[label, i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
            return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
        }
        {
            if (!($1 in count)) order[++labels] = $1
            secs[$1, ++count[$1]] = $3; bytes[$1] = $5
            if (count[$1] == 1 || $3 < lo[$1]) lo[$1] = $3
            if (count[$1] == 1 || $3 > hi[$1]) hi[$1] = $3
        }
        END {
            for (i = 1; i <= labels; i++) med[order[i]] = median(order[i])
            print "| plugin | median s | min-max s | changes/s | bytes/change | vs pgoutput | vs wal2json-v2 |"
            print "|---|---:|---:|---:|---:|---:|---:|"
            for (i = 1; i <= labels; i++) {
                l = order[i]
                printf "| %s | %.3f | %.3f-%.3f | %d | %.1f | %.2fx | %.2fx |\n", l, med[l], lo[l], hi[l],
                       changes / med[l], bytes[l] / changes, med[l] / med["pgoutput"], med[l] / med["wal2json-v2"]
            }
        }' "$file"
}

main() {
    install_packages postgresql-15-wal2json postgresql-15-decoderbufs
    log "building the plugin into $PLUGIN_BUILD"
    build_plugin
    read_plugins
    mkdir -p "$RESULTS"
    # No autovacuum: nothing may add WAL between rounds, so every round decodes the same bytes.
    local settings=(--set "autovacuum = off" --set "max_wal_size = 4GB" --set "shared_buffers = 512MB")
    if [ -n "$BASELINE" ]; then
        prepare_baseline "$BASELINE"
        PLUGINS+=("pgtrail-base	pgtrail_base	text	")
        settings+=("${BASELINE_SETTINGS[@]}")
    fi
    start_cluster "$BUILD_DIR/cluster-decode" "${settings[@]}"
    q -f "$BENCH_DIR/sql/decode_setup.sql"
    echo "## Decode throughput, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Machine: $(machine_summary); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "PostgreSQL: $(q -c 'SHOW server_version'); command: bash bench/decode.sh --rounds $ROUNDS --variants $VARIANTS$([ "$SCALE" = 1 ] || echo " --scale $SCALE")$([ -z "$BASELINE" ] || echo " --baseline $BASELINE")"
    local variant
    for variant in ${VARIANTS//,/ }; do
        workload_counts "$variant" 1 >/dev/null
        run_variant "$variant"
    done
    echo
    echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "Times: server-side, pg_logical_slot_peek_(binary_)changes over all the variant's WAL, output counted but not sent."
    echo "Ratios: median time / pgoutput's (target for pgtrail <= 1.25x) and / wal2json-v2's (target <= 0.40x)."
}

main
